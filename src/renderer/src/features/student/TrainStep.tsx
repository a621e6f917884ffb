import { LineChart } from '@mantine/charts';
import {
  Alert,
  Badge,
  Button,
  Card,
  Collapse,
  Group,
  NumberInput,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { IconAlertTriangle, IconPlayerPlay, IconSettings } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Job } from '../../../../shared/jobs';
import {
  LR_SCHEDULES,
  STOPPING_METRICS,
  STUDENT_ARCHITECTURES,
  type StoppingMetric,
  type StudentArchitectureName,
  type StudentRun,
  type StudentRunDetail,
  type TrainSettings,
} from '../../../../shared/student';
import { ApiError, call, useAction, useEvent, useQuery } from '../../api';
import { JobRow } from '../../components/StatusBar';
import type { StepProps } from '../../wizard/types';

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
  | 'dropout';

/** Settings that only some students read (the rest read all the others). */
const ONLY_FOR: Partial<Record<NumericKey, readonly StudentArchitectureName[]>> = {
  filters: ['cnn'],
  kernelSize: ['cnn'],
  maxTokens: ['cnn', 'transformer'],
  dropout: ['cnn', 'transformer'],
};

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
];

/** The same threshold as the core's warning (runs.ts). */
const FEW_EXAMPLES = 5;

function formatBytes(n: number | null): string {
  if (n === null) return '–';
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

const SCRATCH = 'scratch';

/** Earlier runs a new run can start from: finished, with a best model. */
function startableRuns(runs: readonly StudentRun[]): StudentRun[] {
  return runs.filter((r) => r.state === 'completed' && r.modelPath !== null && r.bestEpoch !== null);
}

function SettingsForm({
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
        <Switch
          mt="lg"
          label={t('field.useTeacher')}
          description={hasTeacher ? t('help.useTeacher') : t('help.noTeacher')}
          checked={soft}
          disabled={!hasTeacher}
          onChange={(e) => onChange({ ...value, useTeacher: e.currentTarget.checked })}
          data-testid="train-use-teacher"
        />
        {NUMERIC_FIELDS.filter(
          (f) =>
            (soft || (f.key !== 'temperature' && f.key !== 'alpha')) &&
            (ONLY_FOR[f.key]?.includes(value.architecture) ?? true),
        ).map((f) => (
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

function Curves({ run }: { run: StudentRunDetail }): React.JSX.Element {
  const { t } = useTranslation('student');
  const data = run.epochs.map((e) => ({
    epoch: e.epoch,
    [t('chart.trainLoss')]: Number(e.trainLoss.toFixed(4)),
    [t('chart.valLoss')]: Number(e.valLoss.toFixed(4)),
    [t('chart.valAccuracy')]: Number(e.valAccuracy.toFixed(4)),
    [t('chart.valMacroF1')]: Number(e.valMacroF1.toFixed(4)),
  }));
  const last = run.epochs[run.epochs.length - 1];
  return (
    <Stack gap="xs" data-testid="train-curves" data-epochs={run.epochs.length}>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Stack gap={4}>
          <Text size="sm" fw={500}>
            {t('chart.lossTitle')}
          </Text>
          <LineChart
            h={200}
            data={data}
            dataKey="epoch"
            withLegend
            series={[
              { name: t('chart.trainLoss'), color: 'indigo.6' },
              { name: t('chart.valLoss'), color: 'orange.6' },
            ]}
          />
        </Stack>
        <Stack gap={4}>
          <Text size="sm" fw={500}>
            {t('chart.metricTitle')}
          </Text>
          <LineChart
            h={200}
            data={data}
            dataKey="epoch"
            withLegend
            yAxisProps={{ domain: [0, 1] }}
            series={[
              { name: t('chart.valMacroF1'), color: 'teal.6' },
              { name: t('chart.valAccuracy'), color: 'grape.6' },
            ]}
          />
        </Stack>
      </SimpleGrid>
      {last && (
        <Text size="sm" c="dimmed" data-testid="train-last-epoch">
          {t('lastEpoch', {
            epoch: last.epoch,
            f1: last.valMacroF1.toFixed(3),
            acc: last.valAccuracy.toFixed(3),
            rate: Math.round(last.examplesPerSecond).toLocaleString(),
          })}
        </Text>
      )}
    </Stack>
  );
}

/** A run whose job is paused is still 'running' in the database: say "Paused", as the job does. */
function shownState(state: StudentRun['state'], job: Job | null): StudentRun['state'] | 'paused' {
  return state === 'running' && job?.state === 'paused' ? 'paused' : state;
}

function RunPanel({ runId, job }: { runId: number; job: Job | null }): React.JSX.Element {
  const { t } = useTranslation('student');
  const detail = useQuery('student.run', { runId });
  useEvent('student.epoch', (e) => {
    if (e.runId === runId) detail.reload();
  });
  const jobState = job?.state ?? null;
  const { reload } = detail;
  useEffect(() => {
    if (jobState && ['completed', 'failed', 'cancelled', 'interrupted'].includes(jobState)) reload();
  }, [jobState, reload]);
  const run = detail.data;
  if (!run) return <Text c="dimmed">{t('loading')}</Text>;
  const state = shownState(run.state, job?.id === run.jobId ? job : null);
  const few = run.data.perClass.filter((c) => c.count < FEW_EXAMPLES);
  return (
    <Card withBorder data-testid="train-run-panel" data-run-state={state}>
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={4}>{t('runTitle', { id: run.id })}</Title>
          <Group gap="xs">
            <Badge
              variant="light"
              color={state === 'paused' ? 'yellow' : undefined}
              data-testid="train-run-state"
            >
              {t(`state.${state}`)}
            </Badge>
            {run.bestEpoch !== null && (
              <Badge color="teal" variant="light" data-testid="train-best">
                {t('bestEpoch', {
                  epoch: run.bestEpoch,
                  metric: t(`metric.${run.settings.metric}`),
                  value: run.bestMetric?.toFixed(3),
                })}
              </Badge>
            )}
          </Group>
        </Group>
        {job && <JobRow job={job} />}
        {few.length > 0 && (
          <Alert
            color="yellow"
            icon={<IconAlertTriangle size={16} />}
            title={t('warningsTitle')}
            data-testid="train-warnings"
          >
            <Stack gap={2}>
              {few.map((c) => (
                <Text size="sm" key={c.label}>
                  {t('fewExamples', { label: c.label, count: c.count })}
                </Text>
              ))}
            </Stack>
          </Alert>
        )}
        <Text size="sm" c="dimmed">
          {t('dataLine', {
            train: run.data.trainCount,
            human: run.data.humanCount,
            teacher: run.data.teacherCount,
            conflicts: run.data.conflictCount,
            validation: run.data.validationCount,
          })}
        </Text>
        {run.epochs.length > 0 ? <Curves run={run} /> : <Text c="dimmed">{t('noEpochYet')}</Text>}
        {run.modelPath && (
          <Text size="sm" data-testid="train-model">
            {t('modelLine', { epoch: run.bestEpoch, size: formatBytes(run.modelBytes) })}
          </Text>
        )}
      </Stack>
    </Card>
  );
}

function RunsTable({
  runs,
  selected,
  job,
  onSelect,
}: {
  runs: readonly StudentRun[];
  selected: number | null;
  job: Job | null;
  onSelect: (id: number) => void;
}): React.JSX.Element {
  const { t } = useTranslation('student');
  return (
    <Table highlightOnHover data-testid="train-runs">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t('col.run')}</Table.Th>
          <Table.Th>{t('col.state')}</Table.Th>
          <Table.Th>{t('col.data')}</Table.Th>
          <Table.Th>{t('col.settings')}</Table.Th>
          <Table.Th>{t('col.best')}</Table.Th>
          <Table.Th>{t('col.size')}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {runs.map((r) => (
          <Table.Tr
            key={r.id}
            onClick={() => onSelect(r.id)}
            style={{ cursor: 'pointer' }}
            bg={r.id === selected ? 'var(--mantine-color-indigo-light)' : undefined}
            data-testid="train-run-row"
            data-run-id={r.id}
          >
            <Table.Td>
              #{r.id}{' '}
              <Text span size="xs" c="dimmed" title={r.backend ?? undefined}>
                {t(`archShort.${r.architecture}`)}
              </Text>
            </Table.Td>
            <Table.Td>{t(`state.${shownState(r.state, job?.id === r.jobId ? job : null)}`)}</Table.Td>
            <Table.Td>
              {r.teacherRunId === null ? t('humanOnly') : t('withTeacher', { id: r.teacherRunId })} ·{' '}
              {r.data.trainCount}/{r.data.validationCount}
            </Table.Td>
            <Table.Td>
              T={r.settings.temperature} α={r.settings.alpha} lr={r.settings.learningRate}
              {r.settings.initFromRunId !== undefined &&
                ` · ${t('fromRun', { id: r.settings.initFromRunId })}`}
            </Table.Td>
            <Table.Td>
              {r.bestEpoch === null
                ? '–'
                : `${r.bestMetric?.toFixed(3)} (${t('epochShort', { epoch: r.bestEpoch })})`}
            </Table.Td>
            <Table.Td>{formatBytes(r.modelBytes)}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** The Train step: a training form with plain-language help, live curves of the running job, and all runs. */
export function TrainStep({ project }: StepProps): React.JSX.Element {
  const { t } = useTranslation('student');
  const overview = useQuery('student.overview', { projectId: project.id });
  const runs = useQuery('student.runs', { projectId: project.id });
  const [settings, setSettings] = useState<TrainSettings | null>(null);
  const [showSettings, setShowSettings] = useState(false);
  const [selected, setSelected] = useState<number | null>(null);
  const [job, setJob] = useState<Job | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);

  useEffect(() => {
    if (overview.data && settings === null) setSettings(overview.data.defaults);
  }, [overview.data, settings]);

  const selectedRun = runs.data?.find((r) => r.id === selected) ?? runs.data?.[0] ?? null;
  const jobId = selectedRun?.jobId ?? null;

  useEffect(() => {
    if (jobId === null) {
      setJob(null);
      return;
    }
    let live = true;
    call('jobs.get', { jobId }).then(
      (j) => live && setJob(j),
      () => live && setJob(null),
    );
    return () => {
      live = false;
    };
  }, [jobId]);

  useEvent('job.updated', (j) => {
    if (j.id !== jobId) return;
    const changed = j.state !== job?.state;
    setJob(j);
    if (changed) runs.reload();
  });

  const start = async (): Promise<void> => {
    if (!settings) return;
    setStarting(true);
    setError(null);
    try {
      const r = await call('student.train', { projectId: project.id, settings });
      setSelected(r.run.id);
      setJob(r.job);
      runs.reload();
    } catch (e) {
      setError(e instanceof ApiError ? e.info.message : String(e));
    } finally {
      setStarting(false);
    }
  };

  const startTrain = useAction(start);
  const o = overview.data;
  const busy = job !== null && (job.state === 'running' || job.state === 'paused');
  return (
    <Stack gap="md" data-testid="train-step">
      <Group justify="space-between" align="flex-start">
        <Stack gap={2}>
          <Title order={3}>{t('title')}</Title>
          <Text c="dimmed" size="sm" maw={720}>
            {t('intro')}
          </Text>
        </Stack>
        {o && (
          <Badge variant="outline" size="lg" data-testid="train-backend">
            {t('backend', { backend: o.backends[settings?.architecture ?? o.defaults.architecture] })}
          </Badge>
        )}
      </Group>
      {overview.error && <Alert color="red">{overview.error.message}</Alert>}
      {o && (
        <Card withBorder>
          <Stack gap="sm">
            <Text size="sm" data-testid="train-overview">
              {t('overview', { human: o.trainHuman, teacher: o.trainTeacher, validation: o.validation })}{' '}
              {o.teacherRunId === null ? t('noTeacherRun') : t('teacherRun', { id: o.teacherRunId })}
            </Text>
            <Group>
              <Button
                leftSection={<IconPlayerPlay size={16} />}
                onClick={() => startTrain.run()}
                loading={starting || startTrain.pending}
                disabled={busy || !settings}
                data-testid="train-start"
              >
                {t('start')}
              </Button>
              <Button
                variant="subtle"
                leftSection={<IconSettings size={16} />}
                onClick={() => setShowSettings((s) => !s)}
                data-testid="train-toggle-settings"
              >
                {showSettings ? t('hideSettings') : t('showSettings')}
              </Button>
              {settings && o.defaults && showSettings && (
                <Button variant="subtle" color="gray" onClick={() => setSettings(o.defaults)}>
                  {t('resetDefaults')}
                </Button>
              )}
            </Group>
            {error && (
              <Alert color="red" data-testid="train-error">
                {error}
              </Alert>
            )}
            <Collapse expanded={showSettings}>
              {settings && (
                <SettingsForm
                  value={settings}
                  onChange={setSettings}
                  hasTeacher={o.teacherRunId !== null}
                  runs={runs.data ?? []}
                />
              )}
            </Collapse>
          </Stack>
        </Card>
      )}
      {selectedRun && <RunPanel key={selectedRun.id} runId={selectedRun.id} job={job} />}
      {runs.data && runs.data.length > 0 && (
        <Stack gap="xs">
          <Title order={4}>{t('runsTitle')}</Title>
          <Text size="sm" c="dimmed">
            {t('runsHelp')}
          </Text>
          <RunsTable runs={runs.data} selected={selectedRun?.id ?? null} job={job} onSelect={setSelected} />
        </Stack>
      )}
    </Stack>
  );
}
