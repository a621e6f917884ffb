import { BarChart } from '@mantine/charts';
import { SegmentedControl, Stack, Table, Text, Tooltip } from '@mantine/core';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ClassResult, EvaluationResult } from '../../../../shared/evaluation';
import { simplifyCurve } from '../../../../shared/downsample';
import {
  PALETTE,
  REFERENCE_COLOUR,
  RIGHT_COLOUR,
  seriesColour,
  WRONG_COLOUR,
} from '../../../../shared/palette';
import { ChartCard } from '../../components/ChartCard';
import { fmt } from './format';

/** Confusion matrix as a coloured grid; each cell is a button that opens its documents. */
export function ConfusionGrid({
  evaluation,
  onCell,
}: {
  evaluation: EvaluationResult;
  onCell: (gold: number, predicted: number) => void;
}): React.JSX.Element {
  const { t } = useTranslation('evaluation');
  const [mode, setMode] = useState<'counts' | 'normalized'>('counts');
  const { labels, confusion, confusionNormalized } = evaluation;
  return (
    <Stack gap="xs">
      <SegmentedControl
        w={360}
        size="xs"
        value={mode}
        onChange={(v) => setMode(v as 'counts' | 'normalized')}
        data={[
          { value: 'counts', label: t('counts') },
          { value: 'normalized', label: t('normalized') },
        ]}
        data-testid="confusion-mode"
      />
      <Text size="sm" c="dimmed">
        {t('confusionHelp')}
      </Text>
      <HeatTable
        labels={labels}
        corner={`${t('goldAxis')} \\ ${t('predictedAxis')}`}
        cell={(i, j) =>
          mode === 'counts' ? String(confusion[i][j]) : `${(confusionNormalized[i][j] * 100).toFixed(0)}%`
        }
        share={(i, j) => confusionNormalized[i][j]}
        onCell={onCell}
        testId="confusion-matrix"
        cellTestId="confusion-cell"
      />
    </Stack>
  );
}

/**
 * A k x k table over labels, each cell shaded by its share in [0, 1] (a confusion matrix, a label co-occurrence
 * matrix); with `onCell`, each cell is a button (its documents).
 */
export function HeatTable({
  labels,
  corner,
  cell,
  share,
  onCell,
  testId,
  cellTestId,
}: {
  labels: readonly string[];
  corner: string;
  cell: (row: number, column: number) => string;
  share: (row: number, column: number) => number;
  onCell?: (row: number, column: number) => void;
  testId: string;
  cellTestId: string;
}): React.JSX.Element {
  return (
    <Table withTableBorder withColumnBorders w="auto" data-testid={testId}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{corner}</Table.Th>
          {labels.map((l) => (
            <Table.Th key={l}>{l}</Table.Th>
          ))}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {labels.map((row, i) => (
          <Table.Tr key={row}>
            <Table.Th>{row}</Table.Th>
            {labels.map((column, j) => {
              const x = share(i, j);
              const style = {
                display: 'block',
                minWidth: 72,
                padding: '12px 8px',
                textAlign: 'center',
                fontWeight: i === j ? 700 : 500,
                color: x > 0.55 ? 'white' : 'inherit',
              } as const;
              return (
                <Table.Td
                  key={column}
                  p={0}
                  style={{ background: `rgba(28, 126, 214, ${Math.max(0.04, x)})` }}
                >
                  {onCell ? (
                    <button
                      type="button"
                      data-testid={cellTestId}
                      data-gold={i}
                      data-pred={j}
                      onClick={() => onCell(i, j)}
                      style={{ all: 'unset', cursor: 'pointer', ...style }}
                    >
                      {cell(i, j)}
                    </button>
                  ) : (
                    <span data-testid={cellTestId} data-row={i} data-column={j} style={style}>
                      {cell(i, j)}
                    </span>
                  )}
                </Table.Td>
              );
            })}
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

const W = 380;
const H = 300;
const PAD = { left: 44, top: 20, right: 12, bottom: 36 };
/** Axis titles in the theme's dimmed text colour: readable on the light and the dark theme. */
const AXIS_TITLE = { fill: 'var(--mantine-color-dimmed)' } as const;
/** How far (in the unit square) a point left out of a drawn curve may lie from it: about half a pixel. */
const CURVE_TOLERANCE = 0.002;

/** Pixel positions of the unit square (0..1 on both axes) inside the plot's padding. */
const UNIT = {
  px: (x: number): number => PAD.left + x * (W - PAD.left - PAD.right),
  py: (y: number): number => PAD.top + (H - PAD.top - PAD.bottom) * (1 - y),
};

/** The tick labels of both axes of a unit-square plot, with horizontal grid lines when `grid`. */
function UnitTicks({
  values,
  grid = false,
}: {
  values: readonly number[];
  grid?: boolean;
}): React.JSX.Element {
  const { px, py } = UNIT;
  return (
    <>
      {values.map((v) => (
        <g key={v}>
          {grid && <line x1={px(0)} x2={px(1)} y1={py(v)} y2={py(v)} stroke="#dee2e6" strokeWidth={0.5} />}
          <text x={px(v)} y={py(0) + 14} fontSize={10} textAnchor="middle" fill="#868e96">
            {v}
          </text>
          <text x={px(0) - 6} y={py(v) + 3} fontSize={10} textAnchor="end" fill="#868e96">
            {v}
          </text>
        </g>
      ))}
    </>
  );
}

/** The part of a class's result a curve chart draws (single-label classes, multi-label labels). */
export type CurveClass = Pick<ClassResult, 'label' | 'auc' | 'averagePrecision' | 'roc' | 'pr'>;

/**
 * ROC or PR curves of every class in one plot; with `onPoint`, points are clickable (their threshold drills down).
 * `colourIndex` keeps a class's colour when only some classes are shown.
 */
export function CurveChart({
  kind,
  classes,
  onPoint,
  testId,
  colourIndex = (ci) => ci,
  title,
}: {
  kind: 'roc' | 'pr';
  classes: readonly CurveClass[];
  onPoint?: (classIndex: number, threshold: number | null) => void;
  testId: string;
  colourIndex?: (classIndex: number) => number;
  title?: string;
}): React.JSX.Element {
  const { t } = useTranslation('evaluation');
  const { px, py } = UNIT;
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  // A curve has a point per distinct score (thousands on a large test set): drawn, only its corners matter, and
  // each drawn point is one of the curve's own, so a click still picks a real threshold.
  const drawn = useMemo(
    () => classes.map((c) => simplifyCurve((kind === 'roc' ? c.roc : c.pr) ?? [], CURVE_TOLERANCE)),
    [classes, kind],
  );
  return (
    <ChartCard title={title ?? (kind === 'roc' ? t('roc') : t('pr'))}>
      <svg
        width={W}
        height={H}
        role="img"
        aria-label={kind === 'roc' ? t('roc') : t('pr')}
        data-testid={testId}
      >
        <UnitTicks values={ticks} grid />
        <text x={px(0.5)} y={H - 4} fontSize={11} textAnchor="middle" style={AXIS_TITLE}>
          {kind === 'roc' ? t('fpr') : t('recall')}
        </text>
        <text x={4} y={PAD.top - 8} fontSize={11} style={AXIS_TITLE} data-testid="axis-y">
          {kind === 'roc' ? t('recall') : t('precision')}
        </text>
        {kind === 'roc' && (
          <line x1={px(0)} y1={py(0)} x2={px(1)} y2={py(1)} stroke={REFERENCE_COLOUR} strokeDasharray="4 3" />
        )}
        {classes.map((c, ci) => {
          const pts = drawn[ci];
          const color = seriesColour(colourIndex(ci));
          return (
            <g key={c.label}>
              <polyline
                fill="none"
                stroke={color}
                strokeWidth={2}
                points={pts.map((p) => `${px(p.x)},${py(p.y)}`).join(' ')}
              />
              {pts.map((p, i) => (
                <Tooltip
                  key={i}
                  label={`${c.label}: ${t('threshold')} ${fmt(p.threshold)} · (${fmt(p.x, 2)}, ${fmt(p.y, 2)})`}
                >
                  <circle
                    cx={px(p.x)}
                    cy={py(p.y)}
                    r={4}
                    fill={color}
                    style={onPoint ? { cursor: 'pointer' } : undefined}
                    data-testid="curve-point"
                    data-class={ci}
                    onClick={onPoint ? () => onPoint(ci, p.threshold) : undefined}
                  />
                </Tooltip>
              ))}
            </g>
          );
        })}
      </svg>
      <Stack gap={0} data-testid="chart-legend">
        {classes.map((c, ci) => (
          <Text key={c.label} size="xs" c={seriesColour(colourIndex(ci))}>
            ■ {c.label}:{' '}
            {kind === 'roc' ? `AUC ${fmt(c.auc)}` : `${t('averagePrecision')} ${fmt(c.averagePrecision)}`}
          </Text>
        ))}
        {kind === 'roc' && (
          <Text size="xs" c={REFERENCE_COLOUR}>
            ┄ {t('chance')}
          </Text>
        )}
      </Stack>
    </ChartCard>
  );
}

/** Reliability diagram: accuracy per confidence bin (clickable bars) against the diagonal. */
export function ReliabilityChart({
  evaluation,
  onBin,
}: {
  evaluation: EvaluationResult;
  onBin: (bin: number) => void;
}): React.JSX.Element {
  const { t } = useTranslation('evaluation');
  const { px, py } = UNIT;
  return (
    <ChartCard title={`${t('reliability')} · ECE ${fmt(evaluation.ece)}`}>
      <svg width={W} height={H} role="img" aria-label={t('reliability')} data-testid="reliability-chart">
        <UnitTicks values={[0, 0.5, 1]} />
        <line x1={px(0)} y1={py(0)} x2={px(1)} y2={py(0)} stroke={REFERENCE_COLOUR} />
        {evaluation.reliability.map((b, i) =>
          b.count > 0 && b.accuracy !== null ? (
            <Tooltip
              key={i}
              label={`${fmt(b.lower, 1)}–${fmt(b.upper, 1)}: ${fmt(b.accuracy, 2)} (n = ${b.count})`}
            >
              <rect
                x={px(b.lower) + 1}
                y={py(b.accuracy)}
                width={px(b.upper) - px(b.lower) - 2}
                height={Math.max(1, py(0) - py(b.accuracy))}
                fill={PALETTE[0]}
                style={{ cursor: 'pointer' }}
                data-testid="reliability-bin"
                onClick={() => onBin(i)}
              />
            </Tooltip>
          ) : null,
        )}
        <line
          x1={px(0)}
          y1={py(0)}
          x2={px(1)}
          y2={py(1)}
          stroke={REFERENCE_COLOUR}
          strokeDasharray="4 3"
          data-testid="reliability-diagonal"
        />
        <text x={px(0.5)} y={H - 4} fontSize={11} textAnchor="middle" style={AXIS_TITLE}>
          {t('confidence')}
        </text>
        <text x={4} y={PAD.top - 8} fontSize={11} style={AXIS_TITLE}>
          {t('accuracy')}
        </text>
      </svg>
      <Stack gap={0} data-testid="chart-legend">
        <Text size="xs" c={PALETTE[0]}>
          ■ {t('binAccuracy')}
        </Text>
        <Text size="xs" c={REFERENCE_COLOUR}>
          ┄ {t('perfectCalibration')}
        </Text>
      </Stack>
    </ChartCard>
  );
}

export function ConfidenceHistogram({ evaluation }: { evaluation: EvaluationResult }): React.JSX.Element {
  const { t } = useTranslation('evaluation');
  const { correct, wrong } = evaluation.confidenceHistogram;
  const data = correct.map((c, i) => ({
    bin: `${(i / correct.length).toFixed(1)}–${((i + 1) / correct.length).toFixed(1)}`,
    [t('right')]: c,
    [t('wrong')]: wrong[i],
  }));
  return (
    <ChartCard title={t('confidenceHist')} w={W + 40}>
      <BarChart
        h={260}
        data={data}
        dataKey="bin"
        withLegend
        xAxisLabel={t('confidence')}
        yAxisLabel={t('documents')}
        series={[
          { name: t('right'), color: RIGHT_COLOUR },
          { name: t('wrong'), color: WRONG_COLOUR },
        ]}
        data-testid="confidence-histogram"
      />
    </ChartCard>
  );
}
