import {
  Alert,
  Badge,
  Button,
  Group,
  NumberInput,
  Select,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Table,
  Text,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type {
  EvaluationCandidate,
  EvaluationResult,
  MetricInterval,
  ModelRef,
  OperatingBy,
  OperatingPoint,
  RunDiff,
  SavedThreshold,
} from '../../../../shared/evaluation';
import { ApiError, call, useQuery } from '../../api';
import { fmt } from './Charts';

/** The report's threshold of too few gold documents in a class. */
const LOW_SUPPORT = 30;

export function withCi(m: MetricInterval): string {
  if (m.value === null) return '—';
  if (m.low === null || m.high === null) return fmt(m.value);
  return `${fmt(m.value)} (${fmt(m.low)}–${fmt(m.high)})`;
}

export function refKey(m: ModelRef): string {
  return `${m.kind}-${m.runId}`;
}

function bytes(n: number | null): string {
  if (n === null) return '—';
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

function ms(n: number | null): string {
  return n === null ? '—' : `${n < 1 ? n.toFixed(3) : n.toFixed(1)} ms`;
}

export function MetricsPanel({ evaluation }: { evaluation: EvaluationResult }): React.JSX.Element {
  const { t } = useTranslation('evaluation');
  const e = evaluation;
  return (
    <Stack>
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
            <Text size="xs" c="dimmed">
              {t(key)}
            </Text>
            <Text fw={700}>{m.value === null ? t('undefinedValue') : fmt(m.value)}</Text>
            {m.low !== null && m.high !== null && (
              <Text size="xs" c="dimmed">
                {t('interval', { low: fmt(m.low), high: fmt(m.high) })}
              </Text>
            )}
          </Stack>
        ))}
        <Stack gap={0}>
          <Text size="xs" c="dimmed">
            {t('auc')}
          </Text>
          <Text fw={700}>{fmt(e.macroAuc)}</Text>
        </Stack>
        <Stack gap={0}>
          <Text size="xs" c="dimmed">
            {t('ece')}
          </Text>
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
            <Table.Th>{t('precision')}</Table.Th>
            <Table.Th>{t('recall')}</Table.Th>
            <Table.Th>{t('f1')}</Table.Th>
            <Table.Th>{t('support')}</Table.Th>
            <Table.Th>{t('aucShort')}</Table.Th>
            <Table.Th>{t('averagePrecision')}</Table.Th>
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

export function OperatingPanel({
  projectId,
  evaluation,
  savedThreshold,
  onSaved,
}: {
  projectId: number;
  evaluation: EvaluationResult;
  savedThreshold: SavedThreshold | null;
  onSaved: () => void;
}): React.JSX.Element {
  const { t } = useTranslation('evaluation');
  const binary = evaluation.labels.length === 2;
  const [classIndex, setClassIndex] = useState(binary ? 1 : 0);
  const [by, setBy] = useState<OperatingBy>('recall');
  const [value, setValue] = useState(0.9);
  const [costFp, setCostFp] = useState(1);
  const [costFn, setCostFn] = useState(1);
  const [saving, setSaving] = useState(false);
  const target = { classIndex, by, value, costFp, costFn };
  const key = JSON.stringify(target);
  // The point remembers the target it was computed for, so that what is shown never mixes two targets.
  const [point, setPoint] = useState<{ key: string; data?: OperatingPoint; error?: string } | null>(null);
  useEffect(() => {
    let live = true;
    const request = JSON.parse(key) as typeof target;
    call('evaluation.operatingPoint', { projectId, model: evaluation.model, ...request }).then(
      (data) => live && setPoint({ key, data }),
      (e: ApiError) => live && setPoint({ key, error: e.message }),
    );
    return () => {
      live = false;
    };
  }, [key, projectId, evaluation.model]);
  const isStudent = evaluation.model.kind === 'student';

  const save = async (): Promise<void> => {
    setSaving(true);
    try {
      await call('evaluation.saveThreshold', { projectId, runId: evaluation.model.runId, ...target });
      notifications.show({ message: t('thresholdSaved') });
      onSaved();
    } catch (e) {
      notifications.show({ color: 'red', title: t('error'), message: (e as ApiError).message });
    } finally {
      setSaving(false);
    }
  };

  const p = point?.data;
  return (
    <Stack>
      <Text size="sm" c="dimmed">
        {t('operatingHelp')}
      </Text>
      <Group align="flex-end">
        <Select
          label={t('class')}
          w={180}
          allowDeselect={false}
          value={String(classIndex)}
          data={evaluation.labels.map((l, i) => ({ value: String(i), label: l }))}
          onChange={(v) => v !== null && setClassIndex(Number(v))}
          data-testid="op-class"
        />
        <Stack gap={4}>
          <Text size="sm" fw={500}>
            {t('by')}
          </Text>
          <SegmentedControl
            value={by}
            onChange={(v) => setBy(v as OperatingBy)}
            data={[
              { value: 'recall', label: t('byRecall') },
              { value: 'precision', label: t('byPrecision') },
              { value: 'threshold', label: t('byThreshold') },
            ]}
            data-testid="op-by"
          />
        </Stack>
        <NumberInput
          label={t('target')}
          w={110}
          min={0}
          max={1}
          step={0.05}
          decimalScale={3}
          value={value}
          onChange={(v) => typeof v === 'number' && v >= 0 && v <= 1 && setValue(v)}
          data-testid="op-target"
        />
        <NumberInput
          label={t('costFp')}
          w={150}
          min={0}
          value={costFp}
          onChange={(v) => typeof v === 'number' && v >= 0 && setCostFp(v)}
        />
        <NumberInput
          label={t('costFn')}
          w={150}
          min={0}
          value={costFn}
          onChange={(v) => typeof v === 'number' && v >= 0 && setCostFn(v)}
        />
      </Group>
      {point?.error && <Alert color="red">{point.error}</Alert>}
      {p && (
        <Stack
          gap="xs"
          data-testid="op-result"
          data-threshold={p.threshold}
          data-by={(JSON.parse(point?.key ?? '{}') as { by?: string }).by}
          data-target={(JSON.parse(point?.key ?? '{}') as { value?: number }).value}
        >
          {!p.achieved && <Alert color="orange">{t('notReached')}</Alert>}
          <Group>
            <Text>
              {t('threshold')}: <b data-testid="op-threshold">{fmt(p.threshold, 4)}</b>
            </Text>
            <Text>
              {t('precision')}: <b>{fmt(p.precision)}</b>
            </Text>
            <Text>
              {t('recall')}: <b>{fmt(p.recall)}</b>
            </Text>
            <Text>
              {t('specificity')}: <b>{fmt(p.specificity)}</b>
            </Text>
            <Text>
              {t('totalCost')}: <b data-testid="op-cost">{p.cost}</b>
            </Text>
          </Group>
          <Table withTableBorder withColumnBorders w="auto">
            <Table.Thead>
              <Table.Tr>
                <Table.Th />
                <Table.Th>
                  {t('predictedAxis')}: {p.label}
                </Table.Th>
                <Table.Th>
                  {t('predictedAxis')}: ¬{p.label}
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              <Table.Tr>
                <Table.Th>
                  {t('goldAxis')}: {p.label}
                </Table.Th>
                <Table.Td data-testid="op-tp">{p.tp}</Table.Td>
                <Table.Td data-testid="op-fn">{p.fn}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th>
                  {t('goldAxis')}: ¬{p.label}
                </Table.Th>
                <Table.Td data-testid="op-fp">{p.fp}</Table.Td>
                <Table.Td>{p.tn}</Table.Td>
              </Table.Tr>
            </Table.Tbody>
          </Table>
        </Stack>
      )}
      {isStudent ? (
        <Group>
          <Button onClick={() => void save()} loading={saving} disabled={!p} data-testid="op-save">
            {t('saveThreshold')}
          </Button>
          {savedThreshold && (
            <Text size="sm" data-testid="op-saved">
              {t('savedThreshold', {
                label: savedThreshold.label,
                threshold: fmt(savedThreshold.threshold, 4),
              })}
            </Text>
          )}
        </Group>
      ) : (
        <Text size="sm" c="dimmed">
          {t('onlyStudent')}
        </Text>
      )}
    </Stack>
  );
}

export function TeacherVsStudentPanel({
  projectId,
  model,
}: {
  projectId: number;
  model: ModelRef;
}): React.JSX.Element {
  const { t } = useTranslation('evaluation');
  const q = useQuery(
    'evaluation.teacherVsStudent',
    model.kind === 'student' ? { projectId, studentRunId: model.runId } : null,
  );
  if (model.kind !== 'student') return <Text c="dimmed">{t('needStudent')}</Text>;
  if (q.error) return <Alert color="red">{q.error.message}</Alert>;
  const d = q.data;
  if (!d) return <Text c="dimmed">{t('evaluating')}</Text>;
  // A ratio below 1 is said the other way round: "3.2 times larger", never "×0.0 smaller".
  const factor = (v: number): string => (v >= 10 ? v.toFixed(0) : v.toFixed(1));
  const sizeText = (v: number | null): string =>
    v === null ? '—' : v >= 1 ? t('timesSmaller', { x: factor(v) }) : t('timesLarger', { x: factor(1 / v) });
  const speedText = (v: number | null): string =>
    v === null ? '—' : v >= 1 ? t('timesFaster', { x: factor(v) }) : t('timesSlower', { x: factor(1 / v) });
  return (
    <Stack data-testid="teacher-vs-student">
      <Group>
        <Text>
          {t('agreement')}: <b>{d.agreement === null ? '—' : `${(d.agreement * 100).toFixed(1)}%`}</b> (n ={' '}
          {d.shared})
        </Text>
        <Text>
          {t('f1Ratio')}: <b>{d.f1Ratio === null ? '—' : `${(d.f1Ratio * 100).toFixed(1)}%`}</b>
        </Text>
        <Text>
          {t('sizeRatio')}: <b data-testid="tvs-size">{sizeText(d.sizeRatio)}</b>
        </Text>
        <Text>
          {t('speedRatio')}: <b data-testid="tvs-speed">{speedText(d.speedRatio)}</b>
        </Text>
      </Group>
      <Table withTableBorder w="auto">
        <Table.Thead>
          <Table.Tr>
            <Table.Th />
            <Table.Th>{t('teacher')}</Table.Th>
            <Table.Th>{t('student')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          <Table.Tr>
            <Table.Th>{t('model')}</Table.Th>
            <Table.Td>{d.teacher.modelName}</Table.Td>
            <Table.Td>{d.student.modelName}</Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th>{t('accuracy')}</Table.Th>
            <Table.Td>{withCi(d.teacher.accuracy)}</Table.Td>
            <Table.Td>{withCi(d.student.accuracy)}</Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th>{t('macroF1')}</Table.Th>
            <Table.Td>{withCi(d.teacher.macroF1)}</Table.Td>
            <Table.Td>{withCi(d.student.macroF1)}</Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th>{t('size')}</Table.Th>
            <Table.Td>{bytes(d.teacher.modelBytes)}</Table.Td>
            <Table.Td>{bytes(d.student.modelBytes)}</Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th>{t('latency')}</Table.Th>
            <Table.Td>{ms(d.teacher.latencyMsPerDoc)}</Table.Td>
            <Table.Td>{ms(d.student.latencyMsPerDoc)}</Table.Td>
          </Table.Tr>
        </Table.Tbody>
      </Table>
    </Stack>
  );
}

export function ComparePanel({
  projectId,
  candidates,
}: {
  projectId: number;
  candidates: readonly EvaluationCandidate[];
}): React.JSX.Element {
  const { t, i18n } = useTranslation('evaluation');
  // Setting keys are the stored names ("best epoch", "learningRate"): show the words a person reads in the forms.
  const settingLabel = (key: string): string => {
    const own = `evaluation:settingNames.${key.replace(/[^A-Za-z0-9]/g, '_')}`;
    if (i18n.exists(own)) return t(own);
    if (i18n.exists(`student:field.${key}`)) return t(`student:field.${key}`);
    return key;
  };
  const metricLabel = (name: string): string => {
    const own = `evaluation:metricNames.${name.replace(/[^A-Za-z0-9]/g, '_')}`;
    if (i18n.exists(own)) return t(own);
    if (name.startsWith('F1 ')) return t('metricNames.perLabelF1', { label: name.slice(3) });
    return name;
  };
  const evaluated = candidates.filter((c) => c.evaluation !== null);
  const [a, setA] = useState<string | null>(evaluated[1] ? refKey(evaluated[1].model) : null);
  const [b, setB] = useState<string | null>(evaluated[0] ? refKey(evaluated[0].model) : null);
  const [diff, setDiff] = useState<RunDiff | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (evaluated.length < 2) return <Text c="dimmed">{t('needTwo')}</Text>;
  const options = evaluated.map((c) => ({ value: refKey(c.model), label: c.name }));
  const find = (key: string | null): ModelRef | undefined =>
    evaluated.find((c) => refKey(c.model) === key)?.model;
  const run = async (): Promise<void> => {
    const ra = find(a);
    const rb = find(b);
    if (!ra || !rb) return;
    try {
      setDiff(await call('evaluation.compare', { projectId, a: ra, b: rb }));
      setError(null);
    } catch (e) {
      setError((e as ApiError).message);
    }
  };
  return (
    <Stack>
      <Group align="flex-end">
        <Select label={t('runA')} w={260} data={options} value={a} onChange={setA} allowDeselect={false} />
        <Select label={t('runB')} w={260} data={options} value={b} onChange={setB} allowDeselect={false} />
        <Button onClick={() => void run()} data-testid="compare-run">
          {t('compare')}
        </Button>
      </Group>
      {error && <Alert color="red">{error}</Alert>}
      {diff && (
        <SimpleGrid cols={{ base: 1, md: 2 }} data-testid="compare-result">
          <Table withTableBorder>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('setting')}</Table.Th>
                <Table.Th>{t('runA')}</Table.Th>
                <Table.Th>{t('runB')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {diff.settings.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={3}>{t('noSettingChanges')}</Table.Td>
                </Table.Tr>
              )}
              {diff.settings.map((s) => (
                <Table.Tr key={s.key} style={{ verticalAlign: 'top' }}>
                  <Table.Td data-testid="compare-setting">{settingLabel(s.key)}</Table.Td>
                  <Table.Td>{s.a}</Table.Td>
                  <Table.Td>{s.b}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Table withTableBorder>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('metric')}</Table.Th>
                <Table.Th>{t('runA')}</Table.Th>
                <Table.Th>{t('runB')}</Table.Th>
                <Table.Th>{t('change')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {diff.metrics.map((m) => (
                <Table.Tr key={m.name}>
                  <Table.Td data-testid="compare-metric">{metricLabel(m.name)}</Table.Td>
                  <Table.Td>{fmt(m.a)}</Table.Td>
                  <Table.Td>{fmt(m.b)}</Table.Td>
                  <Table.Td
                    c={
                      m.delta === null || m.delta === 0
                        ? undefined
                        : m.delta > 0 !== m.lowerIsBetter
                          ? 'teal'
                          : 'red'
                    }
                    data-testid="compare-change"
                    data-better={
                      m.delta === null || m.delta === 0 ? undefined : m.delta > 0 !== m.lowerIsBetter
                    }
                  >
                    {m.delta === null ? '—' : `${m.delta > 0 ? '+' : ''}${fmt(m.delta)}`}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </SimpleGrid>
      )}
    </Stack>
  );
}

function download(fileName: string, mimeType: string, base64: string): void {
  const bin = atob(base64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const url = URL.createObjectURL(new Blob([bytes], { type: mimeType }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function ReportPanel({ projectId, model }: { projectId: number; model: ModelRef }): React.JSX.Element {
  const { t } = useTranslation('evaluation');
  const [busy, setBusy] = useState<'html' | 'pdf' | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const run = async (format: 'html' | 'pdf'): Promise<void> => {
    setBusy(format);
    try {
      const f = await call('evaluation.exportReport', { projectId, model, format });
      setSaved(f.path);
      download(f.fileName, f.mimeType, f.base64);
    } catch (e) {
      notifications.show({ color: 'red', title: t('error'), message: (e as ApiError).message });
    } finally {
      setBusy(null);
    }
  };
  return (
    <Stack>
      <Text size="sm" c="dimmed">
        {t('reportHelp')}
      </Text>
      <Group>
        <Button onClick={() => void run('html')} loading={busy === 'html'} data-testid="report-html">
          {t('exportHtml')}
        </Button>
        <Button onClick={() => void run('pdf')} loading={busy === 'pdf'} data-testid="report-pdf">
          {t('exportPdf')}
        </Button>
      </Group>
      {saved && (
        <Text size="sm" data-testid="report-path" data-path={saved}>
          {t('savedTo', { path: saved })}
        </Text>
      )}
    </Stack>
  );
}
