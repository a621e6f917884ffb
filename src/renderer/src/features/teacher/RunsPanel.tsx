import { CompositeChart } from '@mantine/charts';
import {
  Badge,
  Button,
  Card,
  Code,
  Group,
  Select,
  Spoiler,
  Stack,
  Table,
  Text,
  Title,
  Tooltip,
} from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CalibrationReport, TeacherOutput, TeacherRun } from '../../../../shared/teacher';
import { IconTrash, IconUpload } from '@tabler/icons-react';
import { DeleteTeacherRun } from './DeleteRun';
import { api, call, errorText, useAction, useEvent, useQuery } from '../../api';
import { REFERENCE_COLOUR, RIGHT_COLOUR, WRONG_COLOUR } from '../../../../shared/palette';
import { ChartCard } from '../../components/ChartCard';
import { FilePickButton } from '../../components/FileActions';
import { formatBytes } from '../../../../shared/disk';
import { DistributionBars } from './DistributionBars';
import { TeacherCheckCard } from './TeacherCheckCard';
import { LabelCalibrationText, LabelCheckCard } from './LabelCheckCard';
import { LabelProbabilityBars } from '../../components/LabelProbabilityBars';

const PAGE = 50;
/** The core's minimum (MIN_CALIBRATION_EXAMPLES in teacher/runs.ts). */
const MIN_CALIBRATION = 5;

function Reliability({ report }: { report: CalibrationReport }): React.JSX.Element {
  const { t } = useTranslation('teacher');
  // The diagonal (perfect calibration) as a line through the bins' midpoints: accuracy equal to confidence.
  const data = report.before.bins.map((b, i) => ({
    bin: `${Math.round(b.lower * 100)}–${Math.round(b.upper * 100)}%`,
    [t('perfectCalibration')]: Number(((b.lower + b.upper) / 2).toFixed(2)),
    [t('accuracyBefore')]: b.count ? Number(b.accuracy.toFixed(3)) : 0,
    [t('accuracyAfter')]: report.after.bins[i].count ? Number(report.after.bins[i].accuracy.toFixed(3)) : 0,
  }));
  return (
    <ChartCard title={t('reliability')} testId="teacher-reliability">
      <CompositeChart
        h={220}
        data={data}
        dataKey="bin"
        withLegend
        xAxisLabel={t('confidence')}
        yAxisLabel={t('accuracy')}
        series={[
          { name: t('accuracyBefore'), color: WRONG_COLOUR, type: 'bar' },
          { name: t('accuracyAfter'), color: RIGHT_COLOUR, type: 'bar' },
          { name: t('perfectCalibration'), color: REFERENCE_COLOUR, type: 'line', strokeDasharray: '4 3' },
        ]}
        yAxisProps={{ domain: [0, 1] }}
      />
    </ChartCard>
  );
}

/** The project's teacher runs: calibration and the soft labels of every example. */
export function RunsPanel({ projectId, version }: { projectId: number; version: number }): React.JSX.Element {
  const { t } = useTranslation('teacher');
  const runs = useQuery('teacher.runs', { projectId });
  const [runId, setRunId] = useState<number | null>(null);
  const [items, setItems] = useState<TeacherOutput[]>([]);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const { reload } = runs;

  useEffect(() => reload(), [version, reload]);
  useEvent('job.updated', (j) => {
    if (j.kind === 'teacher.run' && j.projectId === projectId && j.state !== 'running') reload();
  });

  const list = runs.data ?? [];
  const current: TeacherRun | undefined = list.find((r) => r.id === runId) ?? list[0];
  const currentId = current?.id ?? null;
  const currentCount = current?.outputCount ?? 0;

  useEffect(() => {
    if (currentId === null) return;
    void call('teacher.outputs', { runId: currentId, offset: 0, limit: PAGE }).then(
      (r) => {
        setItems(r.items);
        setTotal(r.total);
      },
      (e: unknown) => setError(errorText(e)),
    );
  }, [currentId, currentCount]);

  const more = (): void => {
    if (currentId === null) return;
    void call('teacher.outputs', { runId: currentId, offset: items.length, limit: PAGE }).then((r) =>
      setItems((prev) => [...prev, ...r.items]),
    );
  };

  // Teacher outputs made on another machine (JSONL): a new run, selected once imported.
  const [imported, setImported] = useState<string | null>(null);
  const importRun = useAction(async (file: File): Promise<void> => {
    setError(null);
    setImported(null);
    const provided = await api.provideFile(file);
    if (!provided.ok) {
      setError(provided.error.message);
      return;
    }
    try {
      const r = await call('teacher.importRun', { projectId, path: provided.value.path });
      setRunId(r.run.id);
      setImported(t('importedRun', { count: r.imported, id: r.run.id }));
      reload();
    } catch (e) {
      setError(errorText(e));
    }
  });

  const [deleting, setDeleting] = useState<number | null>(null);

  const calibrate = (): void => {
    if (currentId === null) return;
    setError(null);
    const multi = current?.kind === 'multi';
    void (
      multi
        ? call('teacher.calibrateLabels', { runId: currentId })
        : call('teacher.calibrate', { runId: currentId })
    ).then(
      () => reload(),
      (e: unknown) => setError(errorText(e)),
    );
  };

  return (
    <Card withBorder data-testid="teacher-runs">
      <DeleteTeacherRun
        projectId={projectId}
        runId={deleting}
        onClose={() => setDeleting(null)}
        onDeleted={(id, r) => {
          setDeleting(null);
          setRunId(null);
          setItems([]);
          setImported(
            r.alreadyDeleted
              ? t('runDelete.already', { id })
              : t('runDelete.done', { id, size: formatBytes(r.deletedBytes) }),
          );
          reload();
        }}
      />
      <Group justify="space-between" mb="sm">
        <Title order={4}>{t('runs')}</Title>
        <FilePickButton
          size="xs"
          variant="light"
          leftSection={<IconUpload size={14} />}
          loading={importRun.pending}
          accept=".jsonl,.json,.txt"
          inputTestId="teacher-import-run-input"
          testId="teacher-import-run"
          onPick={(f) => importRun.run(f)}
        >
          {t('importRun')}
        </FilePickButton>
      </Group>
      <Text size="xs" c="dimmed" mb="xs">
        {t('importRunHint')}
      </Text>
      {imported && (
        <Text size="sm" c="teal" data-testid="teacher-import-run-done">
          {imported}
        </Text>
      )}
      {!current && error && (
        <Text c="red" size="sm" data-testid="teacher-import-run-error">
          {error}
        </Text>
      )}
      {!current ? (
        <Text size="sm" c="dimmed">
          {t('noRuns')}
        </Text>
      ) : (
        <Stack gap="sm">
          <Group gap="xs" align="flex-end">
            <Select
              style={{ flex: 1 }}
              value={String(current.id)}
              onChange={(v) => setRunId(v ? Number(v) : null)}
              allowDeselect={false}
              data={list.map((r) => ({
                value: String(r.id),
                label: t('runLine', {
                  id: r.id,
                  model: r.modelName ?? r.modelSha256.slice(0, 12),
                  mode: r.mode,
                  done: r.outputCount,
                  total: r.targetCount,
                }),
              }))}
              data-testid="teacher-run-select"
            />
            <Button
              variant="subtle"
              color="red"
              leftSection={<IconTrash size={14} />}
              onClick={() => {
                setImported(null);
                setDeleting(current.id);
              }}
              data-testid="teacher-run-delete"
            >
              {t('runDelete.button')}
            </Button>
          </Group>
          <Text size="sm" data-testid="teacher-run-model">
            {t('runModel', {
              model: current.modelName ?? current.settings.endpoints.map((e) => e.url).join(', '),
              sha: current.modelSha256.replace(/^remote:/, '').slice(0, 12),
              mode: current.mode === 'reasoning' ? t('modeReasoning') : t('modeDirect'),
              fewShot: current.settings.fewShot,
            })}
          </Text>
          <Spoiler maxHeight={0} showLabel={t('runPrompt')} hideLabel="×" data-testid="teacher-run-prompt">
            <Code block style={{ whiteSpace: 'pre-wrap' }} data-testid="teacher-run-prompt-text">
              {current.promptTemplate}
            </Code>
          </Spoiler>
          <Group gap="xs">
            <Badge
              variant="light"
              color={current.promptVersion ? 'blue' : 'gray'}
              data-testid="teacher-run-version"
            >
              {current.promptVersion
                ? t('lab.runVersion', {
                    number: current.promptVersion.number,
                    name: current.promptVersion.name,
                  })
                : t('lab.runUnsaved')}
            </Badge>
            {current.failedCount > 0 && (
              <Badge color="red">{t('failed', { count: current.failedCount })}</Badge>
            )}
            {current.truncatedCount > 0 && (
              <Badge color="yellow" data-testid="teacher-run-truncated">
                {t('truncatedRun', { count: current.truncatedCount })}
              </Badge>
            )}
          </Group>
          <div>
            <Group justify="space-between">
              <Text size="sm" fw={500}>
                {t('calibration')}
              </Text>
              <Button size="xs" variant="light" onClick={calibrate} data-testid="teacher-calibrate">
                {t('calibrate')}
              </Button>
            </Group>
            {current.kind === 'multi' ? (
              <LabelCalibrationText report={current.labelCalibration} />
            ) : (
              <Text size="sm" data-testid="teacher-calibration">
                {current.calibration
                  ? t('calibrationText', {
                      t: current.calibration.temperature.toFixed(2),
                      n: current.calibration.examples,
                      before: current.calibration.before.ece.toFixed(3),
                      after: current.calibration.after.ece.toFixed(3),
                    })
                  : current.calibrationReady >= MIN_CALIBRATION
                    ? t('calibrationReady', { count: current.calibrationReady })
                    : t('calibrationNeeds', {
                        min: MIN_CALIBRATION,
                        ready: current.calibrationReady,
                        count: current.validationLabelled,
                      })}
              </Text>
            )}
            {current.calibration && <Reliability report={current.calibration} />}
          </div>
          {current.kind === 'multi' ? (
            <LabelCheckCard
              runId={current.id}
              version={current.outputCount + (current.labelCalibration?.examples ?? 0)}
            />
          ) : (
            <TeacherCheckCard
              runId={current.id}
              version={current.outputCount + (current.calibrationTemperature ?? 0)}
            />
          )}
          {error && (
            <Text c="red" size="sm" data-testid="teacher-import-run-error">
              {error}
            </Text>
          )}
          <Text size="sm" fw={500}>
            {t('softLabels')} ({total})
          </Text>
          <Table data-testid="teacher-outputs" striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('text')}</Table.Th>
                <Table.Th w={110}>{t('predicted')}</Table.Th>
                <Table.Th w={280}>{t('distribution')}</Table.Th>
                <Table.Th w={90}>{t('entropy')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((o) => (
                <Table.Tr key={o.exampleId} data-testid="teacher-output">
                  <Table.Td>
                    <Text size="sm" lineClamp={3}>
                      {o.text}
                    </Text>
                    {o.reasoning && (
                      <Spoiler maxHeight={0} showLabel={t('showReasoning')} hideLabel="×">
                        <Text size="xs" c="dimmed" data-testid="teacher-reasoning">
                          {o.reasoning}
                        </Text>
                      </Spoiler>
                    )}
                  </Table.Td>
                  <Table.Td>
                    {o.predictedLabel !== null && <Badge variant="light">{o.predictedLabel}</Badge>}
                    {o.truncated && (
                      <Tooltip label={t('truncatedHint')} multiline w={260}>
                        <Badge color="yellow" variant="light" mt={4} data-testid="teacher-output-truncated">
                          {t('truncatedOne')}
                        </Badge>
                      </Tooltip>
                    )}
                  </Table.Td>
                  <Table.Td>
                    {current.kind === 'multi' ? (
                      <LabelProbabilityBars labels={current.labels} probs={o.probs} compact />
                    ) : (
                      <DistributionBars
                        d={{
                          labels: current.labels,
                          probs: o.probs,
                          logprobs: [],
                          entropy: o.entropy,
                          margin: o.margin,
                          predictedLabelId: o.predictedLabelId ?? 0,
                          reasoning: o.reasoning,
                          tokens: o.tokens,
                          timeMs: o.timeMs,
                        }}
                      />
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" data-testid="teacher-entropy">
                      {o.entropy.toFixed(3)}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {items.length < total && (
            <Button variant="subtle" onClick={more}>
              {t('more')}
            </Button>
          )}
        </Stack>
      )}
    </Card>
  );
}
