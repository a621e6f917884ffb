import { Group, Select, Stack, Text } from '@mantine/core';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { MultiLabelEvaluation } from '../../../../shared/multilabelEvaluation';
import { CurveChart, type CurveClass } from './Charts';

const ALL = '*';

/**
 * ROC and precision-recall curves of a multi-label evaluation, one per label (the label against its absence), all
 * labels at once or one. Points show their threshold but set nothing: thresholds are tuned on validation, not here.
 */
export function LabelCurvesPanel({ evaluation: e }: { evaluation: MultiLabelEvaluation }): React.JSX.Element {
  const { t } = useTranslation('evaluation');
  const [shown, setShown] = useState<string>(ALL);
  const classes: CurveClass[] = useMemo(
    () =>
      e.perLabel.map((l) => ({
        label: l.label,
        auc: l.rocAuc,
        averagePrecision: l.prAuc,
        roc: l.roc,
        pr: l.pr,
      })),
    [e],
  );
  const index = shown === ALL ? -1 : e.labels.indexOf(shown);
  const picked = index < 0 ? classes : [classes[index]];
  const colourIndex = (ci: number): number => (index < 0 ? ci : index);
  return (
    <Stack>
      <Group align="flex-end">
        <Text size="sm" c="dimmed" maw={560}>
          {t('multi.curveHelp')}
        </Text>
        <Select
          size="xs"
          w={260}
          label={t('multi.curveLabel')}
          allowDeselect={false}
          value={shown}
          onChange={(v) => v && setShown(v)}
          data={[
            { value: ALL, label: t('multi.allLabels') },
            ...e.labels.map((l) => ({ value: l, label: l })),
          ]}
          data-testid="curve-label"
        />
      </Group>
      <Group align="flex-start">
        <CurveChart kind="roc" classes={picked} colourIndex={colourIndex} testId="roc-chart" />
        <CurveChart kind="pr" classes={picked} colourIndex={colourIndex} testId="pr-chart" />
      </Group>
    </Stack>
  );
}
