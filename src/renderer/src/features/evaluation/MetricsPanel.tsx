import { SimpleGrid, Stack, Table, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { EvaluationResult } from '../../../../shared/evaluation';
import { fmt } from './format';
import { Headline, MetricHeaders, SupportCell } from './MetricFigures';
import { judgeTarget, PER_LABEL_METRICS, TARGET_METRICS } from '../../../../shared/target';
import { TARGET_STORAGE, TargetPanel } from './TargetPanel';

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
          <Headline key={key} metric={key} name={t(key)} value={m} testId={`metric-${key}`} />
        ))}
        <Headline metric="macroAuc" name={t('auc')} value={e.macroAuc} />
        <Headline metric="ece" name={t('ece')} value={e.ece} />
      </SimpleGrid>
      <Text size="xs" c="dimmed">
        {t('ciNote', { iterations: e.iterations, seed: e.seed })}
      </Text>
      <Table withTableBorder data-testid="per-class-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('label')}</Table.Th>
            <MetricHeaders
              metrics={[
                ['precision', t('precision')],
                ['recall', t('recall')],
                ['f1', t('f1')],
                ['support', t('support')],
                ['auc', t('aucShort')],
                ['averagePrecision', t('averagePrecision')],
              ]}
            />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {e.perClass.map((c) => (
            <Table.Tr key={c.label}>
              <Table.Td>{c.label}</Table.Td>
              <Table.Td>{fmt(c.precision)}</Table.Td>
              <Table.Td>{fmt(c.recall)}</Table.Td>
              <Table.Td>{fmt(c.f1)}</Table.Td>
              <SupportCell support={c.support} />
              <Table.Td>{fmt(c.auc)}</Table.Td>
              <Table.Td>{fmt(c.averagePrecision)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}
