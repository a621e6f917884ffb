import { Group, Progress, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { Distribution } from '../../../../shared/export';

/** One model's distribution: a bar per label, the decided label and the time it took. */
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
    </Stack>
  );
}
