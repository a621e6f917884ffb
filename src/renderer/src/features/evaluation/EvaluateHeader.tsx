import { Alert, Group, Text, Title } from '@mantine/core';
import { IconChartDots } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { WizardStep } from '../../../../shared/projects';
import { GoToStep } from '../../components/GoToStep';
import { LeakageAlert } from '../../components/LeakageAlert';

/** What the step is missing, and the button to the step that supplies it. */
function Missing(props: {
  color: string;
  testId: string;
  text: string;
  step: WizardStep;
}): React.JSX.Element {
  return (
    <Alert color={props.color} data-testid={props.testId}>
      {props.text}
      <div>
        <GoToStep step={props.step} />
      </div>
    </Alert>
  );
}

/**
 * The top of the Evaluate step, single- or multi-label: title and badges, what the step does, and what is missing
 * (no gold document: to Review; nothing to evaluate: to Train), with the leakage warning between them.
 */
export function EvaluateHeader({
  projectId,
  badges,
  intro,
  noGold,
  noRuns,
}: {
  projectId: number;
  badges: ReactNode;
  intro: string;
  /** Said when the gold set is empty, else null. */
  noGold: string | null;
  /** Said when there is nothing to evaluate, else null. */
  noRuns: string | null;
}): React.JSX.Element {
  const { t } = useTranslation('evaluation');
  return (
    <>
      <Group justify="space-between">
        <Group gap="xs">
          <IconChartDots />
          <Title order={3}>{t('title')}</Title>
        </Group>
        <Group gap="xs">{badges}</Group>
      </Group>
      <Text size="sm" c="dimmed">
        {intro}
      </Text>
      {noGold !== null && <Missing color="orange" testId="evaluate-no-gold" text={noGold} step="review" />}
      <LeakageAlert projectId={projectId} />
      {noRuns !== null && <Missing color="gray" testId="evaluate-no-runs" text={noRuns} step="train" />}
    </>
  );
}
