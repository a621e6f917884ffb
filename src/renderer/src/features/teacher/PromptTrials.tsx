import { Card, Group, NumberInput, SegmentedControl, SimpleGrid, Table, Text, Title } from '@mantine/core';
import { IconFlask } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { jobResult, type Job } from '../../../../shared/jobs';
import type { PromptTrialResult } from '../../../../shared/teacher';
import { ActionButton } from '../../components/ActionButton';
import { call, useEvent } from '../../api';
import { JobRow } from '../../components/StatusBar';
import { TableHeader } from '../../components/TableHeader';
import { CURRENT, IdsInput, parseIds, PromptSelect, useLabAction, versionId } from './promptLabParts';
import type { LabPartProps } from './promptLabParts';

const pct = (v: number | null): string => (v === null ? '–' : `${(100 * v).toFixed(0)}%`);
const ACTIVE: readonly Job['state'][] = ['queued', 'running', 'paused'];

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
        <TableHeader columns={['#', t('lab.teacherSays'), t('lab.peopleSay'), t('lab.text')]} />
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
 * Preview runs: the teacher on a sample or on picked documents with the current prompt or a saved version, a job
 * whose progress is shown; the newest two results side by side, kept across leaving the step.
 */
export function PromptTrials({ request, list, ready, onError }: LabPartProps): React.JSX.Element {
  const { t } = useTranslation('teacher');
  const projectId = request.projectId;
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
    setResults([]);
    setJob(null);
    // The latest preview runs of this project, so that a comparison survives leaving the step.
    void call('jobs.list', { projectId }).then((jobs) => {
      if (!live) return;
      const trials = jobs.filter((j) => j.kind === 'teacher.trial').sort((a, b) => b.id - a.id);
      const active = trials.find((j) => ACTIVE.includes(j.state));
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

  useEvent('job.updated', (j) => {
    if (j.kind !== 'teacher.trial' || j.projectId !== projectId) return;
    if (job && j.id !== job.id) return;
    setJob(j);
    addResult(j);
  });

  const startTrial = useLabAction(onError, async () => {
    const ids = source === 'picked' ? parseIds(picked) : null;
    if (source === 'picked' && (!ids || !ids.length)) {
      onError(t('lab.badIds'));
      return;
    }
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
  });
  const trialRunning = job !== null && ACTIVE.includes(job.state);

  return (
    <>
      <Title order={5} mt="md">
        {t('lab.preview')}
      </Title>
      <Text size="xs" c="dimmed">
        {t('lab.previewHint')}
      </Text>
      <Group align="flex-end" mt={4}>
        <PromptSelect
          list={list}
          value={trialVersion}
          onChange={setTrialVersion}
          testId="prompt-trial-version"
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
          <IdsInput
            label={t('lab.pickedIds')}
            placeholder="3, 8, 15"
            w={220}
            value={picked}
            onChange={setPicked}
            testId="prompt-trial-ids"
          />
        )}
        <ActionButton
          leftSection={<IconFlask size={16} />}
          disabled={!ready || trialRunning}
          action={startTrial}
          testId="prompt-trial-start"
        >
          {t('lab.runPreview')}
        </ActionButton>
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
    </>
  );
}
