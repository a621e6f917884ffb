import { LineChart, type LineChartProps } from '@mantine/charts';
import { Badge, Group, SimpleGrid, Stack, Table, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import {
  DEFAULT_LABEL_THRESHOLD,
  MIN_HUMAN_VALIDATION,
  MIN_THRESHOLD_POSITIVES,
  type StudentRunDetail,
} from '../../../../shared/student';
import { REFERENCE_COLOUR, seriesColour } from '../../../../shared/palette';
import { ChartCard } from '../../components/ChartCard';

/** One titled line chart over the epochs, the kept epoch marked; `unitRange` pins the y axis to 0..1 (scores). */
function EpochChart({
  title,
  yAxisLabel,
  data,
  best,
  series,
  unitRange = false,
}: {
  readonly title: string;
  readonly yAxisLabel: string;
  readonly data: Record<string, unknown>[];
  readonly best: LineChartProps['referenceLines'];
  readonly series: LineChartProps['series'];
  readonly unitRange?: boolean;
}): React.JSX.Element {
  const { t } = useTranslation('student');
  return (
    <ChartCard title={title}>
      <LineChart
        h={200}
        data={data}
        dataKey="epoch"
        withLegend
        xAxisLabel={t('chart.epoch')}
        yAxisLabel={yAxisLabel}
        referenceLines={best}
        yAxisProps={unitRange ? { domain: [0, 1] } : undefined}
        series={series}
      />
    </ChartCard>
  );
}

/** Loss and validation metrics per epoch of one run. */
export function TrainingCurves({ run }: { run: StudentRunDetail }): React.JSX.Element {
  const { t } = useTranslation('student');
  const multi = run.kind === 'multi';
  const accuracyName = multi ? t('multi.subsetAccuracy') : t('chart.valAccuracy');
  const data = run.epochs.map((e) => ({
    epoch: e.epoch,
    [t('chart.trainLoss')]: Number(e.trainLoss.toFixed(4)),
    [t('chart.valLoss')]: Number(e.valLoss.toFixed(4)),
    [accuracyName]: Number(e.valAccuracy.toFixed(4)),
    ...(multi && e.valMicroF1 !== undefined ? { [t('multi.microF1')]: Number(e.valMicroF1.toFixed(4)) } : {}),
    [t('chart.valMacroF1')]: Number(e.valMacroF1.toFixed(4)),
    [t('chart.valHumanMacroF1')]: Number.isFinite(e.valHumanMacroF1)
      ? Number(e.valHumanMacroF1.toFixed(4))
      : null,
    [t('chart.valTeacherMacroF1')]: Number.isFinite(e.valTeacherMacroF1)
      ? Number(e.valTeacherMacroF1.toFixed(4))
      : null,
  }));
  const fmt = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : '–');
  const last = run.epochs[run.epochs.length - 1];
  // The epoch whose model was kept, marked on both charts.
  const best =
    run.bestEpoch !== null
      ? [
          {
            x: run.bestEpoch,
            label: t('chart.best', { epoch: run.bestEpoch }),
            color: REFERENCE_COLOUR,
            strokeDasharray: '4 3',
          },
        ]
      : [];
  return (
    <Stack
      gap="xs"
      data-testid="train-curves"
      data-epochs={run.epochs.length}
      data-best-epoch={run.bestEpoch ?? undefined}
    >
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <EpochChart
          title={t('chart.lossTitle')}
          yAxisLabel={t('chart.loss')}
          data={data}
          best={best}
          series={[
            { name: t('chart.trainLoss'), color: seriesColour(0) },
            { name: t('chart.valLoss'), color: seriesColour(1) },
          ]}
        />
        <EpochChart
          title={t('chart.metricTitle')}
          yAxisLabel={t('chart.score')}
          data={data}
          best={best}
          unitRange
          series={[
            { name: t('chart.valMacroF1'), color: seriesColour(2) },
            { name: accuracyName, color: seriesColour(3) },
            ...(multi ? [{ name: t('multi.microF1'), color: seriesColour(6) }] : []),
            ...(last && last.valTeacherCount > 0
              ? [
                  { name: t('chart.valHumanMacroF1'), color: seriesColour(4), strokeDasharray: '5 5' },
                  { name: t('chart.valTeacherMacroF1'), color: seriesColour(5), strokeDasharray: '2 4' },
                ]
              : []),
          ]}
        />
      </SimpleGrid>
      {last && multi && (
        <Text size="sm" c="dimmed" data-testid="train-last-epoch">
          {t('multi.lastEpoch', {
            epoch: last.epoch,
            macro: fmt(last.valMacroF1),
            micro: fmt(last.valMicroF1 ?? Number.NaN),
            samples: fmt(last.valSamplesF1 ?? Number.NaN),
            subset: fmt(last.valAccuracy),
          })}
        </Text>
      )}
      {last && !multi && (
        <Text size="sm" c="dimmed" data-testid="train-last-epoch">
          {t('lastEpoch', {
            epoch: last.epoch,
            f1: last.valMacroF1.toFixed(3),
            acc: last.valAccuracy.toFixed(3),
            rate: Math.round(last.examplesPerSecond).toLocaleString(),
          })}
        </Text>
      )}
      {last && Number.isFinite(last.valHumanCount) && (
        <Text size="sm" c="dimmed" data-testid="train-validation-sources">
          {t('validationSources', {
            human: last.valHumanCount,
            humanF1: fmt(last.valHumanMacroF1),
            teacher: last.valTeacherCount,
            teacherF1: fmt(last.valTeacherMacroF1),
          })}{' '}
          {last.valHumanCount >= MIN_HUMAN_VALIDATION
            ? t('stoppingOnPeople')
            : t('stoppingOnAll', { min: MIN_HUMAN_VALIDATION })}
        </Text>
      )}
      {multi && run.thresholds && <Thresholds labels={run.labels} thresholds={run.thresholds} />}
    </Stack>
  );
}

/** A multi-label run's threshold per label, as its best model holds them. */
function Thresholds({
  labels,
  thresholds,
}: {
  labels: readonly string[];
  thresholds: readonly number[];
}): React.JSX.Element {
  const { t } = useTranslation('student');
  return (
    <Stack gap={4} data-testid="train-thresholds">
      <Text size="sm" fw={600}>
        {t('multi.thresholdsTitle')}
      </Text>
      <Text size="xs" c="dimmed">
        {t('multi.thresholdsHelp', { min: MIN_THRESHOLD_POSITIVES })}
      </Text>
      <Table withRowBorders={false} verticalSpacing={2}>
        <Table.Tbody>
          {labels.map((label, k) => (
            <Table.Tr key={label} data-testid="train-threshold-row" data-label={label}>
              <Table.Td>{label}</Table.Td>
              <Table.Td>
                <Group gap="xs">
                  <Text size="sm">{thresholds[k].toFixed(3)}</Text>
                  <Badge
                    size="xs"
                    variant="light"
                    color={thresholds[k] === DEFAULT_LABEL_THRESHOLD ? 'gray' : 'teal'}
                  >
                    {thresholds[k] === DEFAULT_LABEL_THRESHOLD ? t('multi.default') : t('multi.tuned')}
                  </Badge>
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}
