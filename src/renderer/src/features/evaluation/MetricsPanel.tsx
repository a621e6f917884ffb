import { Badge, SimpleGrid, Stack, Table, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { EvaluationResult } from '../../../../shared/evaluation';
import { fmt } from './format';
import { MetricName } from '../guide/MetricName';
import { judgeTarget, PER_LABEL_METRICS, TARGET_METRICS } from '../../../../shared/target';
import { TARGET_STORAGE, TargetPanel } from './TargetPanel';

/** The report's threshold of too few gold documents in a class. */
const LOW_SUPPORT = 30;

/** The headline metrics with their intervals, and precision, recall and F1 per class. */
export function MetricsPanel({ evaluation }: { evaluation: EvaluationResult }): React.JSX.Element {
  const { t } = useTranslation('evaluation');
  const e = evaluation;
  return (
    <Stack>
      <TargetPanel
        labels={e.labels}
        metrics={TARGET_METRICS}
        perLabelMetrics={PER_LABEL_METRICS}
        judge={(target) => judgeTarget(e, target)}
        storageKey={TARGET_STORAGE.single}
      />
      <SimpleGrid cols={{ base: 2, md: 4 }}>
        {(
          [
            ['accuracy', e.accuracy],
            ['macroF1', e.macroF1],
            ['microF1', e.microF1],
            ['weightedF1', e.weightedF1],
            ['kappa', e.kappa],
          ] as const
        ).map(([key, m]) => (
          <Stack key={key} gap={0} data-testid={`metric-${key}`}>
            <MetricName metric={key} size="xs" c="dimmed">
              {t(key)}
            </MetricName>
            <Text fw={700}>{m.value === null ? t('undefinedValue') : fmt(m.value)}</Text>
            {m.low !== null && m.high !== null && (
              <Text size="xs" c="dimmed">
                {t('interval', { low: fmt(m.low), high: fmt(m.high) })}
              </Text>
            )}
          </Stack>
        ))}
        <Stack gap={0}>
          <MetricName metric="macroAuc" size="xs" c="dimmed">
            {t('auc')}
          </MetricName>
          <Text fw={700}>{fmt(e.macroAuc)}</Text>
        </Stack>
        <Stack gap={0}>
          <MetricName metric="ece" size="xs" c="dimmed">
            {t('ece')}
          </MetricName>
          <Text fw={700}>{fmt(e.ece)}</Text>
        </Stack>
      </SimpleGrid>
      <Text size="xs" c="dimmed">
        {t('ciNote', { iterations: e.iterations, seed: e.seed })}
      </Text>
      <Table withTableBorder data-testid="per-class-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('label')}</Table.Th>
            <Table.Th>
              <MetricName metric="precision">{t('precision')}</MetricName>
            </Table.Th>
            <Table.Th>
              <MetricName metric="recall">{t('recall')}</MetricName>
            </Table.Th>
            <Table.Th>
              <MetricName metric="f1">{t('f1')}</MetricName>
            </Table.Th>
            <Table.Th>
              <MetricName metric="support">{t('support')}</MetricName>
            </Table.Th>
            <Table.Th>
              <MetricName metric="auc">{t('aucShort')}</MetricName>
            </Table.Th>
            <Table.Th>
              <MetricName metric="averagePrecision">{t('averagePrecision')}</MetricName>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {e.perClass.map((c) => (
            <Table.Tr key={c.label}>
              <Table.Td>{c.label}</Table.Td>
              <Table.Td>{fmt(c.precision)}</Table.Td>
              <Table.Td>{fmt(c.recall)}</Table.Td>
              <Table.Td>{fmt(c.f1)}</Table.Td>
              <Table.Td>
                {c.support}{' '}
                {c.support < LOW_SUPPORT && (
                  <Badge size="xs" color="orange" variant="light">
                    {t('lowSupport')}
                  </Badge>
                )}
              </Table.Td>
              <Table.Td>{fmt(c.auc)}</Table.Td>
              <Table.Td>{fmt(c.averagePrecision)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}
