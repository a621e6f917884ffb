import { Badge, Stack, Table, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { MetricInterval } from '../../../../shared/evaluation';
import { MetricName } from '../guide/MetricName';
import type { MetricKey } from '../guide/i18n';
import { fmt } from './format';

/** The report's threshold of too few gold documents in a class (single-label) or for a label (multi-label). */
const LOW_SUPPORT = 30;

/** One headline figure: its name (explained on hover), its value and, when it has one, its 95% interval. */
export function Headline({
  metric,
  name,
  value,
  testId,
}: {
  metric: MetricKey;
  name: string;
  value: MetricInterval | number | null;
  testId?: string;
}): React.JSX.Element {
  const { t } = useTranslation('evaluation');
  const m = typeof value === 'object' && value !== null ? value : { value, low: null, high: null };
  return (
    <Stack gap={0} data-testid={testId}>
      <MetricName metric={metric} size="xs" c="dimmed">
        {name}
      </MetricName>
      <Text fw={700} data-testid="metric-value">
        {m.value === null ? t('undefinedValue') : fmt(m.value)}
      </Text>
      {m.low !== null && m.high !== null && (
        <Text size="xs" c="dimmed" data-testid="metric-interval">
          {t('interval', { low: fmt(m.low), high: fmt(m.high) })}
        </Text>
      )}
    </Stack>
  );
}

/** A table header of metric columns, each name explained on hover: `[metric, its name]`. */
export function MetricHeaders({
  metrics,
}: {
  metrics: readonly (readonly [MetricKey, string])[];
}): React.JSX.Element {
  return (
    <>
      {metrics.map(([metric, name]) => (
        <Table.Th key={metric}>
          <MetricName metric={metric}>{name}</MetricName>
        </Table.Th>
      ))}
    </>
  );
}

/** A class's or label's gold support, flagged when it is too small to trust its figures. */
export function SupportCell({ support, testId }: { support: number; testId?: string }): React.JSX.Element {
  const { t } = useTranslation('evaluation');
  return (
    <Table.Td data-testid={testId}>
      {support}{' '}
      {support < LOW_SUPPORT && (
        <Badge size="xs" color="orange" variant="light">
          {t('lowSupport')}
        </Badge>
      )}
    </Table.Td>
  );
}
