import { NumberInput, Select, SimpleGrid, Stack, Switch } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import {
  architectureReads,
  LR_SCHEDULES,
  STOPPING_METRICS,
  STUDENT_ARCHITECTURES,
  STUDENT_FEATURES,
  type StoppingMetric,
  type StudentArchitectureName,
  type StudentRun,
  type TrainSettings,
} from '../../../../shared/student';

type NumericKey =
  | 'temperature'
  | 'alpha'
  | 'learningRate'
  | 'batchSize'
  | 'maxEpochs'
  | 'patience'
  | 'seed'
  | 'dim'
  | 'filters'
  | 'kernelSize'
  | 'maxTokens'
  | 'classBalance'
  | 'dropout'
  | 'l2'
  | 'autoBudgetSeconds';

const NUMERIC_FIELDS: ReadonlyArray<{
  key: NumericKey;
  min: number;
  max: number;
  step: number;
  decimals: number;
}> = [
  { key: 'temperature', min: 0.5, max: 20, step: 0.5, decimals: 2 },
  { key: 'alpha', min: 0, max: 1, step: 0.1, decimals: 2 },
  { key: 'learningRate', min: 0.0001, max: 1, step: 0.001, decimals: 4 },
  { key: 'classBalance', min: 0, max: 1, step: 0.25, decimals: 2 },
  { key: 'batchSize', min: 1, max: 1024, step: 8, decimals: 0 },
  { key: 'maxEpochs', min: 1, max: 200, step: 1, decimals: 0 },
  { key: 'patience', min: 1, max: 50, step: 1, decimals: 0 },
  { key: 'seed', min: 0, max: 2 ** 31 - 1, step: 1, decimals: 0 },
  { key: 'dim', min: 4, max: 256, step: 8, decimals: 0 },
  { key: 'filters', min: 4, max: 512, step: 16, decimals: 0 },
  { key: 'kernelSize', min: 1, max: 7, step: 1, decimals: 0 },
  { key: 'maxTokens', min: 8, max: 4096, step: 32, decimals: 0 },
  { key: 'dropout', min: 0, max: 0.9, step: 0.1, decimals: 2 },
  { key: 'l2', min: 0, max: 1, step: 0.0001, decimals: 6 },
  { key: 'autoBudgetSeconds', min: 10, max: 86_400, step: 60, decimals: 0 },
];

/** What Auto mode chooses itself (shared/student.ts AUTO_CONFIGURATIONS): hidden while it is on. */
const AUTO_CHOOSES: ReadonlySet<NumericKey> = new Set(['learningRate', 'classBalance', 'l2']);

function shown(key: NumericKey, value: TrainSettings, soft: boolean): boolean {
  if (!soft && (key === 'temperature' || key === 'alpha')) return false;
  if (!architectureReads(value.architecture, key)) return false;
  const auto = value.auto && architectureReads(value.architecture, 'auto');
  if (key === 'autoBudgetSeconds') return auto;
  return !(auto && AUTO_CHOOSES.has(key));
}

const SCRATCH = 'scratch';

/** Earlier runs a new run can start from: finished, with a best model. */
function startableRuns(runs: readonly StudentRun[]): StudentRun[] {
  return runs.filter((r) => r.state === 'completed' && r.modelPath !== null && r.bestEpoch !== null);
}

/** The training settings, each with plain-language help; only those the chosen student reads. */
export function SettingsForm({
  value,
  onChange,
  hasTeacher,
  runs,
}: {
  value: TrainSettings;
  onChange: (s: TrainSettings) => void;
  hasTeacher: boolean;
  runs: readonly StudentRun[];
}): React.JSX.Element {
  const { t } = useTranslation('student');
  const soft = value.useTeacher && hasTeacher;
  const earlier = startableRuns(runs).filter((r) => r.architecture === value.architecture);
  const from = earlier.find((r) => r.id === value.initFromRunId);
  return (
    <Stack gap="sm" data-testid="train-settings">
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <Select
          label={t('field.initFrom')}
          description={t('help.initFrom')}
          data={[
            { value: SCRATCH, label: t('initFrom.scratch') },
            ...earlier.map((r) => ({
              value: String(r.id),
              label: t('initFrom.run', {
                id: r.id,
                epoch: r.bestEpoch,
                score: r.bestMetric === null ? '–' : r.bestMetric.toFixed(3),
              }),
            })),
          ]}
          value={from ? String(from.id) : SCRATCH}
          allowDeselect={false}
          onChange={(v) => {
            const run = earlier.find((r) => String(r.id) === v);
            onChange(
              run
                ? {
                    ...value,
                    initFromRunId: run.id,
                    dim: run.settings.dim,
                    filters: run.settings.filters,
                    kernelSize: run.settings.kernelSize,
                  }
                : { ...value, initFromRunId: undefined },
            );
          }}
          data-testid="train-init-from"
        />
        <Select
          label={t('field.architecture')}
          description={t('help.architecture')}
          data={STUDENT_ARCHITECTURES.map((a) => ({ value: a, label: t(`arch.${a}`) }))}
          value={value.architecture}
          allowDeselect={false}
          onChange={(a) =>
            a && onChange({ ...value, architecture: a as StudentArchitectureName, initFromRunId: undefined })
          }
          data-testid="train-architecture"
        />
        {architectureReads(value.architecture, 'auto') && (
          <Switch
            mt="lg"
            label={t('field.auto')}
            description={t('help.auto')}
            checked={value.auto}
            onChange={(e) => onChange({ ...value, auto: e.currentTarget.checked })}
            data-testid="train-auto"
          />
        )}
        {architectureReads(value.architecture, 'finalFit') && (
          <Switch
            mt="lg"
            label={t('field.finalFit')}
            description={t('help.finalFit')}
            checked={value.finalFit}
            onChange={(e) => onChange({ ...value, finalFit: e.currentTarget.checked })}
            data-testid="train-final-fit"
          />
        )}
        {!(value.auto && architectureReads(value.architecture, 'auto')) && (
          <Select
            label={t('field.features')}
            description={t('help.features')}
            data={STUDENT_FEATURES.map((f) => ({ value: f, label: t(`features.${f}`) }))}
            value={value.features}
            allowDeselect={false}
            onChange={(f) => f && onChange({ ...value, features: f as TrainSettings['features'] })}
            data-testid="train-features"
          />
        )}
        <Switch
          mt="lg"
          label={t('field.useTeacher')}
          description={hasTeacher ? t('help.useTeacher') : t('help.noTeacher')}
          checked={soft}
          disabled={!hasTeacher}
          onChange={(e) => onChange({ ...value, useTeacher: e.currentTarget.checked })}
          data-testid="train-use-teacher"
        />
        {NUMERIC_FIELDS.filter((f) => shown(f.key, value, soft)).map((f) => (
          <NumberInput
            key={f.key}
            label={t(`field.${f.key}`)}
            description={t(`help.${f.key}`)}
            min={f.min}
            max={f.max}
            step={f.step}
            decimalScale={f.decimals}
            disabled={
              from !== undefined && (f.key === 'dim' || f.key === 'filters' || f.key === 'kernelSize')
            }
            value={value[f.key]}
            onChange={(v) => {
              const n = typeof v === 'number' ? v : Number(v);
              if (Number.isFinite(n)) onChange({ ...value, [f.key]: n });
            }}
            data-testid={`train-field-${f.key}`}
          />
        ))}
        <Select
          label={t('field.lrSchedule')}
          description={t('help.lrSchedule')}
          data={LR_SCHEDULES.map((m) => ({ value: m, label: t(`lrSchedule.${m}`) }))}
          value={value.lrSchedule}
          allowDeselect={false}
          onChange={(m) => m && onChange({ ...value, lrSchedule: m as TrainSettings['lrSchedule'] })}
          data-testid="train-lr-schedule"
        />
        <Select
          label={t('field.metric')}
          description={t('help.metric')}
          data={STOPPING_METRICS.map((m) => ({ value: m, label: t(`metric.${m}`) }))}
          value={value.metric}
          allowDeselect={false}
          onChange={(m) => m && onChange({ ...value, metric: m as StoppingMetric })}
        />
      </SimpleGrid>
    </Stack>
  );
}
