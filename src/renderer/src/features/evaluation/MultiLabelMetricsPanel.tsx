import { Badge, SimpleGrid, Stack, Table, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { MetricInterval } from '../../../../shared/evaluation';
import type { MultiLabelEvaluation } from '../../../../shared/multilabelEvaluation';
import { judgeMultiLabelTarget, MULTI_TARGET_METRICS } from '../../../../shared/target';
import { MetricName } from '../guide/MetricName';
import type { MetricKey } from '../guide/i18n';
import { fmt } from './format';
import { TARGET_STORAGE, TargetPanel } from './TargetPanel';

/** The report's threshold of too few gold documents for a label. */
const LOW_SUPPORT = 30;
const PER_LABEL = ['recall', 'precision', 'f1'] as const;

function Headline({
  metric,
  name,
  value,
  testId,
}: {
  metric: MetricKey;
  name: string;
  value: MetricInterval | number | null;
  testId: string;
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
        <Headline metric="microF1" name={t('microF1')} value={e.microF1} testId="metric-microF1" />
        <Headline metric="macroF1" name={t('macroF1')} value={e.macroF1} testId="metric-macroF1" />
        <Headline
          metric="samplesF1"
          name={t('multi.samplesF1')}
          value={e.samplesF1}
          testId="metric-samplesF1"
        />
        <Headline
          metric="hammingLoss"
          name={t('multi.hammingLoss')}
          value={e.hammingLoss}
          testId="metric-hammingLoss"
        />
        <Headline
          metric="subsetAccuracy"
          name={t('multi.subsetAccuracy')}
          value={e.subsetAccuracy}
          testId="metric-subsetAccuracy"
        />
        <Headline metric="lrap" name={t('multi.lrap')} value={e.lrap} testId="metric-lrap" />
        <Headline
          metric="precision"
          name={t('multi.microPrecision')}
          value={e.microPrecision}
          testId="metric-microPrecision"
        />
        <Headline
          metric="recall"
          name={t('multi.microRecall')}
          value={e.microRecall}
          testId="metric-microRecall"
        />
        <Headline metric="macroAuc" name={t('auc')} value={e.macroRocAuc} testId="metric-macroAuc" />
        <Headline metric="auc" name={t('multi.microAuc')} value={e.microRocAuc} testId="metric-microAuc" />
        <Headline
          metric="averagePrecision"
          name={t('multi.macroPrAuc')}
          value={e.macroPrAuc}
          testId="metric-macroPrAuc"
        />
      </SimpleGrid>
      <Text size="xs" c="dimmed">
        {t('ciNote', { iterations: e.iterations, seed: e.seed })}{' '}
        {t(`multi.thresholdSource.${e.thresholdSource}`)}
      </Text>
      <Table withTableBorder data-testid="per-label-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('label')}</Table.Th>
            <Table.Th>
              <MetricName metric="threshold">{t('multi.threshold')}</MetricName>
            </Table.Th>
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
            <Table.Th>{t('multi.predicted')}</Table.Th>
            <Table.Th>
              <MetricName metric="auc">{t('aucShort')}</MetricName>
            </Table.Th>
            <Table.Th>
              <MetricName metric="averagePrecision">{t('averagePrecision')}</MetricName>
            </Table.Th>
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
              <Table.Td data-testid="per-label-support">
                {l.support}{' '}
                {l.support < LOW_SUPPORT && (
                  <Badge size="xs" color="orange" variant="light">
                    {t('lowSupport')}
                  </Badge>
                )}
              </Table.Td>
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
