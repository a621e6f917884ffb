import { Group, Progress, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { Distribution } from '../../../../shared/export';
import { LabelProbabilityBars } from '../../components/LabelProbabilityBars';

/**
 * One model's answer and the time it took: a distribution (a bar per label, the decided label), or for a multi-label
 * model every label at or above its threshold with its probability, the others folded, as independent bars.
 */
export function DistributionView({
  title,
  d,
  testId,
}: {
  title: string;
  d: Distribution;
  testId: string;
}): React.JSX.Element {
  const { t } = useTranslation('export');
  return (
    <Stack gap={4} data-testid={testId}>
      <Group justify="space-between">
        <Text fw={600}>{title}</Text>
        <Text size="xs" c="dimmed">
          {t('latency', { ms: d.latencyMs < 10 ? d.latencyMs.toFixed(2) : Math.round(d.latencyMs) })}
        </Text>
      </Group>
      {d.labelSet ? (
        <>
          <Text size="sm" data-testid={`${testId}-label`}>
            {d.labelSet.length
              ? t('decidedSet', { labels: d.labelSet.map((l) => l.label).join(', ') })
              : t('decidedNone')}
          </Text>
          <LabelProbabilityBars
            labels={d.labels.map((name, id) => ({ id, name }))}
            probs={d.probs}
            thresholds={d.thresholds}
            fold
            testId={`${testId}-multi`}
          />
        </>
      ) : (
        <SingleLabel d={d} testId={testId} />
      )}
    </Stack>
  );
}

/** A distribution over the labels (summing to 1): the decided label and a bar per label. */
function SingleLabel({ d, testId }: { d: Distribution; testId: string }): React.JSX.Element {
  const { t } = useTranslation('export');
  return (
    <>
      <Text size="sm" data-testid={`${testId}-label`}>
        {t('decided', { label: d.label })}
      </Text>
      {d.labels.map((label, i) => (
        <Group key={label} gap="xs" wrap="nowrap">
          <Text size="sm" w={140} truncate>
            {label}
          </Text>
          <Progress
            value={100 * d.probs[i]}
            style={{ flex: 1 }}
            color={label === d.label ? 'blue' : 'gray'}
          />
          <Text
            size="sm"
            w={56}
            ta="right"
            data-testid={`${testId}-prob`}
            data-label={label}
            data-prob={d.probs[i]}
          >
            {(100 * d.probs[i]).toFixed(1)}%
          </Text>
        </Group>
      ))}
    </>
  );
}
