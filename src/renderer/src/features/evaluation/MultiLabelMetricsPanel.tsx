import { SimpleGrid, Stack, Table, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { MultiLabelEvaluation } from '../../../../shared/multilabelEvaluation';
import { judgeMultiLabelTarget, MULTI_TARGET_METRICS } from '../../../../shared/target';
import { Headline, MetricHeaders, SupportCell } from './MetricFigures';
import { fmt } from './format';
import { TARGET_STORAGE, TargetPanel } from './TargetPanel';

const PER_LABEL = ['recall', 'precision', 'f1'] as const;

/**
 * A multi-label evaluation's headline figures (set metrics with their 95% intervals, each name explained on hover),
 * the verdict against the person's target, and each label at its threshold.
 */
export function MultiLabelMetricsPanel({
  evaluation: e,
}: {
  evaluation: MultiLabelEvaluation;
}): React.JSX.Element {
  const { t } = useTranslation('evaluation');
  return (
    <Stack>
      <TargetPanel
        labels={e.labels}
        metrics={MULTI_TARGET_METRICS}
        perLabelMetrics={PER_LABEL}
        judge={(target) => judgeMultiLabelTarget(e, target)}
        storageKey={TARGET_STORAGE.multi}
      />
      <SimpleGrid cols={{ base: 2, md: 4 }}>
        {(
          [
            ['microF1', 'microF1', t('microF1'), e.microF1],
            ['macroF1', 'macroF1', t('macroF1'), e.macroF1],
            ['samplesF1', 'samplesF1', t('multi.samplesF1'), e.samplesF1],
            ['hammingLoss', 'hammingLoss', t('multi.hammingLoss'), e.hammingLoss],
            ['subsetAccuracy', 'subsetAccuracy', t('multi.subsetAccuracy'), e.subsetAccuracy],
            ['lrap', 'lrap', t('multi.lrap'), e.lrap],
            ['microPrecision', 'precision', t('multi.microPrecision'), e.microPrecision],
            ['microRecall', 'recall', t('multi.microRecall'), e.microRecall],
            ['macroAuc', 'macroAuc', t('auc'), e.macroRocAuc],
            ['microAuc', 'auc', t('multi.microAuc'), e.microRocAuc],
            ['macroPrAuc', 'averagePrecision', t('multi.macroPrAuc'), e.macroPrAuc],
          ] as const
        ).map(([id, metric, name, value]) => (
          <Headline key={id} metric={metric} name={name} value={value} testId={`metric-${id}`} />
        ))}
      </SimpleGrid>
      <Text size="xs" c="dimmed">
        {t('ciNote', { iterations: e.iterations, seed: e.seed })}{' '}
        {t(`multi.thresholdSource.${e.thresholdSource}`)}
      </Text>
      <Table withTableBorder data-testid="per-label-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('label')}</Table.Th>
            <MetricHeaders
              metrics={[
                ['threshold', t('multi.threshold')],
                ['precision', t('precision')],
                ['recall', t('recall')],
                ['f1', t('f1')],
                ['support', t('support')],
              ]}
            />
            <Table.Th>{t('multi.predicted')}</Table.Th>
            <MetricHeaders
              metrics={[
                ['auc', t('aucShort')],
                ['averagePrecision', t('averagePrecision')],
              ]}
            />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {e.perLabel.map((l) => (
            <Table.Tr key={l.label} data-testid="per-label-row" data-label={l.label}>
              <Table.Td>{l.label}</Table.Td>
              <Table.Td data-testid="per-label-threshold">{fmt(l.threshold)}</Table.Td>
              <Table.Td>{fmt(l.precision)}</Table.Td>
              <Table.Td data-testid="per-label-recall">{fmt(l.recall)}</Table.Td>
              <Table.Td>{fmt(l.f1)}</Table.Td>
              <SupportCell support={l.support} testId="per-label-support" />
              <Table.Td>{l.predicted}</Table.Td>
              <Table.Td data-testid="per-label-auc">{fmt(l.rocAuc)}</Table.Td>
              <Table.Td>{fmt(l.prAuc)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}
