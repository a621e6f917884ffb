import { Badge, Group, Select, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { parseStored } from '../../../../shared/storedJson';
import type { TargetVerdict, TargetVerdictKind } from '../../../../shared/target';
import { SettingsCard, UnitInput } from './Controls';
import { fmt } from './format';

const COLORS: Readonly<Record<TargetVerdictKind, string>> = {
  met: 'teal',
  uncertain: 'yellow',
  'not-met': 'red',
  undefined: 'gray',
};
/** Where the person's target is kept in this browser or window, across evaluations and sessions. */
export const TARGET_STORAGE = {
  single: 'distillery.evaluationTarget',
  multi: 'distillery.multiLabelTarget',
} as const;

interface Target<M extends string> {
  readonly metric: M;
  readonly label?: string;
  readonly min: number;
}

/** A target as this panel stores it in localStorage (`Target`, its metric checked against today's list). */
const StoredTarget = z.object({ metric: z.string(), label: z.string().optional(), min: z.number() });

function storedTarget<M extends string>(
  key: string,
  metrics: readonly M[],
  labels: readonly string[],
): Target<M> {
  const label = (l: string | undefined): string | undefined =>
    l && labels.includes(l) ? l : labels[labels.length - 1];
  // A damaged, old or missing stored value (or storage the browser refuses) is the same as none.
  let text: string | null = null;
  try {
    text = localStorage.getItem(key);
  } catch {
    text = null;
  }
  const read = text === null ? null : parseStored(StoredTarget, text);
  const metric = read?.ok ? metrics.find((m) => m === read.value.metric) : undefined;
  if (read?.ok && metric !== undefined)
    return { metric, label: label(read.value.label), min: read.value.min };
  return { metric: 'recall' as M, label: label(undefined), min: 0.9 };
}

/**
 * "Does the model reach what we need?": a target the person sets and the verdict on this evaluation. The measures
 * and the judge are the project's kind's (single-label: `judgeTarget`; multi-label: `judgeMultiLabelTarget`).
 */
export function TargetPanel<M extends string>({
  labels,
  metrics,
  perLabelMetrics,
  judge,
  storageKey,
}: {
  labels: readonly string[];
  metrics: readonly M[];
  /** The measures of one label (a label is chosen for them). */
  perLabelMetrics: readonly M[];
  judge: (target: Target<M>) => TargetVerdict;
  storageKey: string;
}): React.JSX.Element {
  const { t } = useTranslation('evaluation');
  const [target, setTarget] = useState<Target<M>>(() => storedTarget(storageKey, metrics, labels));
  useEffect(() => {
    localStorage.setItem(storageKey, JSON.stringify(target));
  }, [target, storageKey]);
  const perLabel = perLabelMetrics.includes(target.metric);
  const v = judge(perLabel ? target : { metric: target.metric, min: target.min });
  const what = perLabel
    ? t('goal.perLabel', { metric: t(`goal.metric.${target.metric}`), label: target.label })
    : t(`goal.metric.${target.metric}`);
  return (
    <SettingsCard title={t('goal.title')} testId="eval-target">
      <Group gap="xs" align="flex-end">
        <Select
          w={180}
          label={t('goal.metricLabel')}
          value={target.metric}
          allowDeselect={false}
          data={metrics.map((m) => ({ value: m, label: t(`goal.metric.${m}`) }))}
          onChange={(m) => m && setTarget({ ...target, metric: m as M })}
          data-testid="eval-target-metric"
        />
        {perLabel && (
          <Select
            w={180}
            label={t('goal.labelLabel')}
            value={target.label ?? null}
            allowDeselect={false}
            data={[...labels]}
            onChange={(l) => l && setTarget({ ...target, label: l })}
            data-testid="eval-target-label"
          />
        )}
        <UnitInput
          w={120}
          label={t('goal.atLeast')}
          step={0.01}
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
    </SettingsCard>
  );
}
