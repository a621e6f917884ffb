import { Button } from '@mantine/core';
import { IconArrowRight } from '@tabler/icons-react';
import { createContext, useContext } from 'react';
import { useTranslation } from 'react-i18next';
import type { WizardStep } from '../../../shared/projects';

/** Opens another step of the wizard (provided by the wizard; absent outside it). */
export const GoToStepContext = createContext<((step: WizardStep) => void) | null>(null);

/** The button of an empty state: it opens the step that fills it. */
export function GoToStep({ step }: { step: WizardStep }): React.JSX.Element | null {
  const { t } = useTranslation();
  const go = useContext(GoToStepContext);
  if (!go) return null;
  return (
    <Button
      size="xs"
      variant="light"
      mt="xs"
      rightSection={<IconArrowRight size={14} />}
      onClick={() => go(step)}
      data-testid={`go-to-${step}`}
    >
      {t('goToStep', { step: t(`steps.${step}`) })}
    </Button>
  );
}
