import {
  Alert,
  Badge,
  Button,
  Card,
  Code,
  Group,
  NativeSelect,
  NumberInput,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Textarea,
  Title,
} from '@mantine/core';
import { IconDeviceFloppy, IconFlask, IconGitCompare, IconEye } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { jobResult, type Job } from '../../../../shared/jobs';
import type {
  DiffLine,
  PromptDiff,
  PromptText,
  PromptTrialResult,
  PromptVersion,
  TeacherEndpoint,
  TeacherMode,
} from '../../../../shared/teacher';
import { call, useAction, useEvent, useQuery } from '../../api';
import { JobRow } from '../../components/StatusBar';
import { errorText } from './ModelLibrary';

/** The prompt as the Teacher step holds it now (what "the current prompt" means in the lab). */
export interface LabChoice {
  readonly projectId: number;
  readonly modelId?: number;
  readonly endpoints: TeacherEndpoint[];
  readonly template: string;
  readonly mode: TeacherMode;
  readonly fewShot: number;
  readonly reasoningBudget: number;
}

interface Props {
  readonly choice: LabChoice;
  readonly ready: boolean;
  /** Puts a saved version's template, mode and few-shot count into the editor (its task is set here). */
  readonly onUse: (v: PromptVersion) => void;
}

const CURRENT = 'current';
const pct = (v: number | null): string => (v === null ? '–' : `${(100 * v).toFixed(0)}%`);

/** Document ids typed as "12, 15 18": whole positive numbers, or null when one is not. */
function parseIds(raw: string): number[] | null {
  const parts = raw.split(/[\s,;]+/).filter(Boolean);
  const ids = parts.map(Number);
  return ids.every((n) => Number.isInteger(n) && n > 0) ? ids : null;
}

function DiffView({ lines, testId }: { lines: readonly DiffLine[]; testId: string }): React.JSX.Element {
  return (
    <Code block data-testid={testId} style={{ whiteSpace: 'pre-wrap' }}>
      {lines.map((l, i) => (
        <div
          key={i}
          data-kind={l.kind}
          style={{
            background:
              l.kind === 'added'
                ? 'var(--mantine-color-green-light)'
                : l.kind === 'removed'
                  ? 'var(--mantine-color-red-light)'
                  : undefined,
          }}
        >
          {l.kind === 'added' ? '+ ' : l.kind === 'removed' ? '- ' : '  '}
          {l.text || ' '}
        </div>
      ))}
    </Code>
  );
}

function TrialCard({ r }: { r: PromptTrialResult }): React.JSX.Element {
  const { t } = useTranslation('teacher');
  return (
    <Card withBorder p="xs" data-testid="prompt-trial-result">
      <Text fw={600} size="sm">
        {r.versionNumber === null
          ? t('lab.currentPrompt')
          : t('lab.versionLabel', { number: r.versionNumber, name: r.versionName })}
      </Text>
      <Text size="xs" c="dimmed">
        {r.source === 'picked'
          ? t('lab.onPicked', { count: r.items.length })
          : t('lab.onSample', { count: r.items.length })}
      </Text>
      <Text size="lg" fw={700} data-testid="prompt-trial-accuracy">
        {r.accuracy.value === null
          ? t('lab.noGold')
          : t('lab.accuracy', {
              value: pct(r.accuracy.value),
              low: pct(r.accuracy.low),
              high: pct(r.accuracy.high),
              correct: r.correct,
              scored: r.scored,
            })}
      </Text>
      <Table fz="xs" mt={4}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>#</Table.Th>
            <Table.Th>{t('lab.teacherSays')}</Table.Th>
            <Table.Th>{t('lab.peopleSay')}</Table.Th>
            <Table.Th>{t('lab.text')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {r.items.map((item) => (
            <Table.Tr key={item.exampleId} data-correct={String(item.correct)}>
              <Table.Td>{item.exampleId}</Table.Td>
              <Table.Td c={item.correct === false ? 'red' : undefined}>
                {item.predicted ?? item.error}
                {item.correct === true ? ' ✓' : item.correct === false ? ' ✗' : ''}
              </Table.Td>
              <Table.Td>{item.gold ?? '–'}</Table.Td>
              <Table.Td>
                <Text size="xs" lineClamp={1}>
                  {item.text}
                </Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Card>
  );
}

/**
 * The prompt lab: the task description, named prompt versions with who saved them, a line diff of two versions, the
 * exact text the model reads for a document, and preview runs (jobs) whose accuracies sit side by side.
 */
export function PromptLab({ choice, ready, onUse }: Props): React.JSX.Element {
  const { t } = useTranslation('teacher');
  const projectId = choice.projectId;
  const versions = useQuery('teacher.promptVersions', { projectId });
  const list = versions.data ?? [];
  const [task, setTask] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [diffFrom, setDiffFrom] = useState('');
  const [diffTo, setDiffTo] = useState('');
  const [diff, setDiff] = useState<PromptDiff | null>(null);
  const [textDoc, setTextDoc] = useState('');
  const [textVersion, setTextVersion] = useState(CURRENT);
  const [shown, setShown] = useState<PromptText | null>(null);
  const [trialVersion, setTrialVersion] = useState(CURRENT);
  const [source, setSource] = useState<'sample' | 'picked'>('sample');
  const [sample, setSample] = useState(20);
  const [picked, setPicked] = useState('');
  const [job, setJob] = useState<Job | null>(null);
  const [results, setResults] = useState<Array<{ jobId: number; r: PromptTrialResult }>>([]);
  // The newest two previews side by side; a job already shown is not added twice.
  const addResult = (j: Job): void => {
    const r = jobResult(j, 'teacher.trial');
    if (r) setResults((prev) => [{ jobId: j.id, r }, ...prev.filter((p) => p.jobId !== j.id)].slice(0, 2));
  };

  useEffect(() => {
    let live = true;
    setTask(null);
    setResults([]);
    setJob(null);
    void call('teacher.task', { projectId }).then((r) => live && setTask(r.task));
    // The latest preview runs of this project, so that a comparison survives leaving the step.
    void call('jobs.list', { projectId }).then((jobs) => {
      if (!live) return;
      const trials = jobs.filter((j) => j.kind === 'teacher.trial').sort((a, b) => b.id - a.id);
      const active = trials.find((j) => ['queued', 'running', 'paused'].includes(j.state));
      if (active) setJob(active);
      setResults(
        trials
          .map((j) => ({ jobId: j.id, r: jobResult(j, 'teacher.trial') }))
          .filter((x): x is { jobId: number; r: PromptTrialResult } => x.r !== null)
          .slice(0, 2),
      );
    });
    return () => {
      live = false;
    };
  }, [projectId]);

  // The task description is the project's: saved once the person pauses typing.
  useEffect(() => {
    if (task === null) return;
    const timer = setTimeout(() => {
      void call('teacher.setTask', { projectId, task }).catch((e: unknown) => setError(errorText(e)));
    }, 400);
    return () => clearTimeout(timer);
  }, [task, projectId]);

  useEvent('job.updated', (j) => {
    if (j.kind !== 'teacher.trial' || j.projectId !== projectId) return;
    if (job && j.id !== job.id) return;
    setJob(j);
    addResult(j);
  });

  const versionId = (v: string): number | undefined => (v === CURRENT ? undefined : Number(v));
  const request = {
    projectId,
    modelId: choice.modelId,
    endpoints: choice.endpoints,
    template: choice.template,
    mode: choice.mode,
    fewShot: choice.fewShot,
    reasoningBudget: choice.reasoningBudget,
  };

  const save = useAction(async () => {
    setError(null);
    try {
      await call('teacher.setTask', { projectId, task: task ?? '' });
      const v = await call('teacher.savePromptVersion', {
        projectId,
        name,
        template: choice.template,
        task: task ?? '',
        mode: choice.mode,
        fewShot: choice.fewShot,
      });
      setName('');
      versions.reload();
      if (!diffTo) setDiffTo(String(v.id));
    } catch (e) {
      setError(errorText(e));
    }
  });

  const showDiff = useAction(async () => {
    setError(null);
    try {
      setDiff(await call('teacher.promptDiff', { fromId: Number(diffFrom), toId: Number(diffTo) }));
    } catch (e) {
      setError(errorText(e));
    }
  });

  const showText = useAction(async () => {
    setError(null);
    const ids = parseIds(textDoc);
    if (!ids || ids.length !== 1) {
      setError(t('lab.oneDocument'));
      return;
    }
    try {
      setShown(
        await call('teacher.promptText', {
          ...request,
          exampleId: ids[0],
          versionId: versionId(textVersion),
        }),
      );
    } catch (e) {
      setError(errorText(e));
    }
  });

  const startTrial = useAction(async () => {
    setError(null);
    const ids = source === 'picked' ? parseIds(picked) : null;
    if (source === 'picked' && (!ids || !ids.length)) {
      setError(t('lab.badIds'));
      return;
    }
    try {
      const started = await call('teacher.trial', {
        ...request,
        versionId: versionId(trialVersion),
        ...(ids ? { exampleIds: ids } : { sample }),
      });
      setJob(started);
      // A short preview can end before the request returns.
      const now = await call('jobs.get', { jobId: started.id });
      setJob(now);
      addResult(now);
    } catch (e) {
      setError(errorText(e));
    }
  });

  const versionOptions = [
    { value: CURRENT, label: t('lab.currentPrompt') },
    ...list.map((v) => ({
      value: String(v.id),
      label: t('lab.versionLabel', { number: v.number, name: v.name }),
    })),
  ];
  const pickOptions = [
    { value: '', label: t('lab.choose') },
    ...list.map((v) => ({
      value: String(v.id),
      label: t('lab.versionLabel', { number: v.number, name: v.name }),
    })),
  ];
  const trialRunning = job !== null && ['queued', 'running', 'paused'].includes(job.state);

  return (
    <Card withBorder data-testid="prompt-lab">
      <Title order={4}>{t('lab.title')}</Title>
      <Text size="xs" c="dimmed" mb="sm">
        {t('lab.intro')}
      </Text>
      {error && (
        <Alert
          color="red"
          mb="sm"
          withCloseButton
          onClose={() => setError(null)}
          data-testid="prompt-lab-error"
        >
          {error}
        </Alert>
      )}
      <Textarea
        label={t('lab.task')}
        description={t('lab.taskHint', { task: '{{task}}', interpolation: { escapeValue: false } })}
        autosize
        minRows={2}
        maxRows={6}
        value={task ?? ''}
        disabled={task === null}
        onChange={(e) => setTask(e.currentTarget.value)}
        data-testid="prompt-task"
      />

      <Title order={5} mt="md">
        {t('lab.versions')}
      </Title>
      <Group align="flex-end" mb="xs">
        <TextInput
          label={t('lab.versionName')}
          placeholder={t('lab.versionNamePlaceholder')}
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          w={280}
          data-testid="prompt-version-name"
        />
        <Button
          leftSection={<IconDeviceFloppy size={16} />}
          disabled={!name.trim()}
          loading={save.pending}
          onClick={() => save.run()}
          data-testid="prompt-version-save"
        >
          {t('lab.save')}
        </Button>
      </Group>
      {list.length === 0 ? (
        <Text size="sm" c="dimmed" data-testid="prompt-versions-empty">
          {t('lab.noVersions')}
        </Text>
      ) : (
        <Table fz="sm" data-testid="prompt-versions">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('lab.version')}</Table.Th>
              <Table.Th>{t('lab.savedBy')}</Table.Th>
              <Table.Th>{t('lab.changed')}</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.map((v) => (
              <Table.Tr key={v.id} data-testid="prompt-version">
                <Table.Td>{t('lab.versionLabel', { number: v.number, name: v.name })}</Table.Td>
                <Table.Td>
                  {t('lab.byAt', { who: v.createdBy, when: new Date(v.createdAt).toLocaleString() })}
                </Table.Td>
                <Table.Td>
                  <Group gap={4}>
                    {v.changed.map((f) => (
                      <Badge key={f} size="xs" variant="light">
                        {t(`lab.field.${f}`)}
                      </Badge>
                    ))}
                  </Group>
                </Table.Td>
                <Table.Td>
                  <Button
                    size="compact-xs"
                    variant="subtle"
                    onClick={() => {
                      onUse(v);
                      setTask(v.task);
                    }}
                    data-testid="prompt-version-use"
                  >
                    {t('lab.use')}
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}

      {list.length >= 2 && (
        <>
          <Group align="flex-end" mt="sm">
            <NativeSelect
              label={t('lab.compareFrom')}
              data={pickOptions}
              value={diffFrom}
              onChange={(e) => setDiffFrom(e.currentTarget.value)}
              data-testid="prompt-diff-from"
            />
            <NativeSelect
              label={t('lab.compareTo')}
              data={pickOptions}
              value={diffTo}
              onChange={(e) => setDiffTo(e.currentTarget.value)}
              data-testid="prompt-diff-to"
            />
            <Button
              variant="light"
              leftSection={<IconGitCompare size={16} />}
              disabled={!diffFrom || !diffTo}
              loading={showDiff.pending}
              onClick={() => showDiff.run()}
              data-testid="prompt-diff-show"
            >
              {t('lab.showDiff')}
            </Button>
          </Group>
          {diff && (
            <Stack gap={4} mt="xs" data-testid="prompt-diff">
              <Text size="sm">
                {diff.changed.length
                  ? t('lab.diffChanged', {
                      fields: diff.changed.map((f) => t(`lab.field.${f}`)).join(', '),
                    })
                  : t('lab.diffSame')}
              </Text>
              {diff.changed.includes('task') && <DiffView lines={diff.task} testId="prompt-diff-task" />}
              {diff.changed.includes('template') && (
                <DiffView lines={diff.template} testId="prompt-diff-template" />
              )}
              {diff.from.mode !== diff.to.mode && (
                <Text size="sm">
                  {t('lab.field.mode')}: {diff.from.mode} → {diff.to.mode}
                </Text>
              )}
              {diff.from.fewShot !== diff.to.fewShot && (
                <Text size="sm">
                  {t('lab.field.fewShot')}: {diff.from.fewShot} → {diff.to.fewShot}
                </Text>
              )}
            </Stack>
          )}
        </>
      )}

      <Title order={5} mt="md">
        {t('lab.exactText')}
      </Title>
      <Group align="flex-end">
        <TextInput
          label={t('lab.documentId')}
          placeholder="12"
          w={160}
          value={textDoc}
          onChange={(e) => setTextDoc(e.currentTarget.value)}
          data-testid="prompt-text-doc"
        />
        <NativeSelect
          label={t('lab.prompt')}
          data={versionOptions}
          value={textVersion}
          onChange={(e) => setTextVersion(e.currentTarget.value)}
          data-testid="prompt-text-version"
        />
        <Button
          variant="light"
          leftSection={<IconEye size={16} />}
          disabled={!ready || !textDoc.trim()}
          loading={showText.pending}
          onClick={() => showText.run()}
          data-testid="prompt-text-show"
        >
          {t('lab.showText')}
        </Button>
      </Group>
      {shown && (
        <Stack gap={4} mt="xs">
          <Text size="xs" c="dimmed">
            {shown.modelText === null
              ? t('lab.remoteTemplate')
              : t('lab.tokens', { count: shown.tokens ?? 0 })}
          </Text>
          <Code
            block
            data-testid="prompt-text"
            style={{ whiteSpace: 'pre-wrap', maxHeight: 360, overflow: 'auto' }}
          >
            {shown.modelText ?? shown.userTurn}
          </Code>
        </Stack>
      )}

      <Title order={5} mt="md">
        {t('lab.preview')}
      </Title>
      <Text size="xs" c="dimmed">
        {t('lab.previewHint')}
      </Text>
      <Group align="flex-end" mt={4}>
        <NativeSelect
          label={t('lab.prompt')}
          data={versionOptions}
          value={trialVersion}
          onChange={(e) => setTrialVersion(e.currentTarget.value)}
          data-testid="prompt-trial-version"
        />
        <SegmentedControl
          value={source}
          onChange={(v) => setSource(v as 'sample' | 'picked')}
          data={[
            { value: 'sample', label: t('lab.sourceSample') },
            { value: 'picked', label: t('lab.sourcePicked') },
          ]}
          data-testid="prompt-trial-source"
        />
        {source === 'sample' ? (
          <NumberInput
            label={t('lab.sampleSize')}
            min={1}
            max={200}
            w={140}
            value={sample}
            onChange={(v) => setSample(Math.max(1, Math.min(200, Number(v) || 1)))}
            data-testid="prompt-trial-sample"
          />
        ) : (
          <TextInput
            label={t('lab.pickedIds')}
            placeholder="3, 8, 15"
            w={220}
            value={picked}
            onChange={(e) => setPicked(e.currentTarget.value)}
            data-testid="prompt-trial-ids"
          />
        )}
        <Button
          leftSection={<IconFlask size={16} />}
          disabled={!ready || trialRunning}
          loading={startTrial.pending}
          onClick={() => startTrial.run()}
          data-testid="prompt-trial-start"
        >
          {t('lab.runPreview')}
        </Button>
      </Group>
      {!ready && (
        <Text size="xs" c="dimmed">
          {t('chooseModel')}
        </Text>
      )}
      {job && trialRunning && (
        <div data-testid="prompt-trial-job">
          <JobRow job={job} />
        </div>
      )}
      {job?.state === 'failed' && (
        <Text size="sm" c="red" data-testid="prompt-trial-failed">
          {job.error}
        </Text>
      )}
      {results.length > 0 && (
        <SimpleGrid cols={{ base: 1, md: 2 }} mt="sm" data-testid="prompt-trial-results">
          {results.map((x) => (
            <TrialCard key={x.jobId} r={x.r} />
          ))}
        </SimpleGrid>
      )}
    </Card>
  );
}
