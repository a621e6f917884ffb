import { Alert, Badge, Button, Card, Collapse, Group, Stack, Text, Title } from '@mantine/core';
import { IconPlayerPlay, IconSettings } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Job } from '../../../../shared/jobs';
import type { TrainSettings } from '../../../../shared/student';
import { call, errorText, useAction, useEvent, useQuery } from '../../api';
import type { StepProps } from '../../wizard/types';
import { RunPanel } from './RunPanel';
import { RunsTable } from './RunsTable';
import { DeleteStudentRun } from './DeleteRun';
import { formatBytes } from '../../../../shared/disk';
import { SettingsForm } from './SettingsForm';
import { TeacherCheckCard, VerdictText } from '../teacher/TeacherCheckCard';

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
  const [showCheck, setShowCheck] = useState(false);
  const [deleting, setDeleting] = useState<number | null>(null);
  const [deleted, setDeleted] = useState<string | null>(null);

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
      setError(errorText(e));
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
            {o.teacherCheck && (
              <Stack gap={4} data-testid="train-teacher-check">
                <VerdictText check={o.teacherCheck} />
                {o.teacherCheck.verdict === 'chance' && settings && (
                  <Alert
                    color={settings.useTeacher ? 'red' : 'yellow'}
                    p="xs"
                    data-testid="train-teacher-choice"
                    data-use-teacher={settings.useTeacher ? 'yes' : 'no'}
                  >
                    <Group justify="space-between" gap="xs">
                      <Text size="sm">
                        {settings.useTeacher ? t('teacherCheck.overridden') : t('teacherCheck.humanOnly')}
                      </Text>
                      <Button
                        size="compact-xs"
                        variant="light"
                        onClick={() => setSettings({ ...settings, useTeacher: !settings.useTeacher })}
                        data-testid="train-teacher-override"
                      >
                        {settings.useTeacher ? t('teacherCheck.useHumanOnly') : t('teacherCheck.useAnyway')}
                      </Button>
                    </Group>
                  </Alert>
                )}
                <Group>
                  <Button
                    size="compact-xs"
                    variant="subtle"
                    onClick={() => setShowCheck((v) => !v)}
                    data-testid="train-show-check"
                  >
                    {showCheck ? t('teacherCheck.hide') : t('teacherCheck.show')}
                  </Button>
                </Group>
                {showCheck && o.teacherRunId !== null && <TeacherCheckCard runId={o.teacherRunId} />}
              </Stack>
            )}
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
          {deleted && (
            <Alert
              color="green"
              withCloseButton
              onClose={() => setDeleted(null)}
              data-testid="train-run-deleted"
            >
              {deleted}
            </Alert>
          )}
          <RunsTable
            runs={runs.data}
            selected={selectedRun?.id ?? null}
            job={job}
            onSelect={setSelected}
            onDelete={(id) => {
              setDeleted(null);
              setDeleting(id);
            }}
          />
        </Stack>
      )}
      <DeleteStudentRun
        projectId={project.id}
        runId={deleting}
        onClose={() => setDeleting(null)}
        onDeleted={(id, r) => {
          setDeleting(null);
          if (selected === id) setSelected(null);
          setDeleted(
            r.alreadyDeleted
              ? t('runDelete.already', { id })
              : t('runDelete.done', { id, size: formatBytes(r.deletedBytes) }),
          );
          runs.reload();
          overview.reload();
        }}
      />
    </Stack>
  );
}
