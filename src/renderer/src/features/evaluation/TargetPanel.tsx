import { Badge, Card, Group, NumberInput, Select, Stack, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { EvaluationResult } from '../../../../shared/evaluation';
import {
  judgeTarget,
  PER_LABEL_METRICS,
  TARGET_METRICS,
  type EvaluationTarget,
  type TargetMetric,
  type TargetVerdictKind,
} from '../../../../shared/target';
import { fmt } from './format';

const COLORS: Readonly<Record<TargetVerdictKind, string>> = {
  met: 'teal',
  uncertain: 'yellow',
  'not-met': 'red',
  undefined: 'gray',
};
/** The target is the person's, kept in this browser or window across evaluations and sessions. */
const STORAGE_KEY = 'distillery.evaluationTarget';

function storedTarget(labels: readonly string[]): EvaluationTarget {
  try {
    const t = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null') as EvaluationTarget | null;
    if (t && TARGET_METRICS.includes(t.metric) && typeof t.min === 'number') {
      return { ...t, label: t.label && labels.includes(t.label) ? t.label : labels[labels.length - 1] };
    }
  } catch {
    // A damaged stored value is the same as none.
  }
  return { metric: 'recall', label: labels[labels.length - 1], min: 0.9 };
}

/** "Does the model reach what we need?": a target the person sets and the verdict on this evaluation. */
export function TargetPanel({ evaluation }: { evaluation: EvaluationResult }): React.JSX.Element {
  const { t } = useTranslation('evaluation');
  const [target, setTarget] = useState<EvaluationTarget>(() => storedTarget(evaluation.labels));
  useEffect(() => {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(target));
  }, [target]);
  const perLabel = PER_LABEL_METRICS.includes(target.metric);
  const v = judgeTarget(evaluation, perLabel ? target : { metric: target.metric, min: target.min });
  const what = perLabel
    ? t('goal.perLabel', { metric: t(`goal.metric.${target.metric}`), label: target.label })
    : t(`goal.metric.${target.metric}`);
  return (
    <Card withBorder p="sm" data-testid="eval-target">
      <Stack gap="xs">
        <Text size="sm" fw={500}>
          {t('goal.title')}
        </Text>
        <Group gap="xs" align="flex-end">
          <Select
            w={160}
            label={t('goal.metricLabel')}
            value={target.metric}
            allowDeselect={false}
            data={TARGET_METRICS.map((m) => ({ value: m, label: t(`goal.metric.${m}`) }))}
            onChange={(m) => m && setTarget({ ...target, metric: m as TargetMetric })}
            data-testid="eval-target-metric"
          />
          {perLabel && (
            <Select
              w={180}
              label={t('goal.labelLabel')}
              value={target.label ?? null}
              allowDeselect={false}
              data={[...evaluation.labels]}
              onChange={(l) => l && setTarget({ ...target, label: l })}
              data-testid="eval-target-label"
            />
          )}
          <NumberInput
            w={120}
            label={t('goal.atLeast')}
            min={0}
            max={1}
            step={0.01}
            decimalScale={3}
            value={target.min}
            onChange={(x) => setTarget({ ...target, min: Math.min(1, Math.max(0, Number(x) || 0)) })}
            data-testid="eval-target-min"
          />
        </Group>
        <Group gap="xs" wrap="nowrap" align="flex-start">
          <Badge color={COLORS[v.verdict]} data-testid="eval-target-verdict" data-verdict={v.verdict}>
            {t(`goal.verdict.${v.verdict}`)}
          </Badge>
          <Text size="sm" data-testid="eval-target-why">
            {t(`goal.why.${v.verdict}`, {
              what,
              min: target.min,
              value: fmt(v.value),
              low: fmt(v.low),
              high: fmt(v.high),
            })}
          </Text>
        </Group>
      </Stack>
    </Card>
  );
}
