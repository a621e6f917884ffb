import { ActionIcon, Group, Popover, Progress, Stack, Text, Tooltip, UnstyledButton } from '@mantine/core';
import { IconPlayerPause, IconPlayerPlay, IconX } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Job } from '../../../shared/jobs';
import { jobPhaseText, jobTitleText } from '../../../shared/jobText';
import { call, useEvent, useQuery } from '../api';

export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '';
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${Math.round(seconds % 60)}s`;
  return `${Math.floor(seconds / 3600)}h ${Math.round((seconds % 3600) / 60)}m`;
}

/** One job: a progress bar with rate and ETA, and pause / resume / cancel. */
export function JobRow({ job }: { job: Job }): React.JSX.Element {
  const { t, i18n } = useTranslation();
  const { done, total, rate, etaSeconds, phase } = job.progress;
  const pct = total > 0 ? (100 * done) / total : 0;
  return (
    <Stack gap={2} data-testid="job-row" data-job-state={job.state}>
      <Group justify="space-between" gap="xs" wrap="nowrap">
        <Text size="sm" fw={500} lineClamp={1} data-testid="job-title">
          {jobTitleText(job, i18n.language)}
        </Text>
        <Group gap={4} wrap="nowrap">
          {job.state === 'running' && (
            <Tooltip label={t('pause')}>
              <ActionIcon
                size="sm"
                variant="subtle"
                onClick={() => void call('jobs.pause', { jobId: job.id })}
                data-testid="job-pause"
                aria-label={t('pause')}
              >
                <IconPlayerPause size={14} />
              </ActionIcon>
            </Tooltip>
          )}
          {(job.state === 'paused' || job.state === 'interrupted' || job.state === 'failed') && (
            <Tooltip label={t('resume')}>
              <ActionIcon
                size="sm"
                variant="subtle"
                onClick={() => void call('jobs.resume', { jobId: job.id })}
                data-testid="job-resume"
                aria-label={t('resume')}
              >
                <IconPlayerPlay size={14} />
              </ActionIcon>
            </Tooltip>
          )}
          {['running', 'paused', 'interrupted', 'queued'].includes(job.state) && (
            <Tooltip label={t('cancel')}>
              <ActionIcon
                size="sm"
                variant="subtle"
                color="red"
                onClick={() => void call('jobs.cancel', { jobId: job.id })}
                data-testid="job-cancel"
                aria-label={t('cancel')}
              >
                <IconX size={14} />
              </ActionIcon>
            </Tooltip>
          )}
        </Group>
      </Group>
      <Progress
        value={pct}
        animated={job.state === 'running'}
        color={job.state === 'failed' ? 'red' : job.state === 'paused' ? 'yellow' : undefined}
      />
      <Text size="xs" c="dimmed">
        {t(`jobState.${job.state}`)} · {phase ? `${jobPhaseText(phase, i18n.language)} · ` : ''}
        {done.toLocaleString()}/{total.toLocaleString()}
        {rate
          ? ` · ${t('perSecond', { rate: rate < 10 ? rate.toFixed(1) : Math.round(rate).toLocaleString() })}`
          : ''}
        {etaSeconds !== null && job.state === 'running'
          ? ` · ${t('eta', { time: formatDuration(etaSeconds) })}`
          : ''}
        {job.error ? ` · ${job.error}` : ''}
      </Text>
    </Stack>
  );
}

/** The status bar: running jobs at a glance, all jobs in a popover. */
export function StatusBar({ dataDir, mode }: { dataDir: string; mode: string }): React.JSX.Element {
  const { t } = useTranslation();
  const jobs = useQuery('jobs.list', { activeOnly: false });
  const [live, setLive] = useState<Map<number, Job>>(new Map());
  useEvent('job.updated', (job) => setLive((m) => new Map(m).set(job.id, job)));
  const merged = new Map<number, Job>();
  for (const j of jobs.data ?? []) merged.set(j.id, j);
  for (const [id, j] of live) merged.set(id, j);
  const all = [...merged.values()].sort((a, b) => b.id - a.id);
  const active = all.filter((j) => ['running', 'paused', 'queued', 'interrupted'].includes(j.state));
  const first = active[0];
  return (
    <Group justify="space-between" px="md" h="100%" data-testid="status-bar" wrap="nowrap">
      <Popover position="top-start" width={420} shadow="md">
        <Popover.Target>
          <UnstyledButton data-testid="status-jobs">
            <Group gap="xs" wrap="nowrap">
              <Text size="xs" fw={600}>
                {t('jobs')}:
              </Text>
              <Text size="xs" data-testid="status-jobs-summary">
                {active.length === 0 ? t('noJobs') : t('running', { count: active.length })}
              </Text>
              {first && first.progress.total > 0 && (
                <Progress
                  w={160}
                  size="sm"
                  value={(100 * first.progress.done) / first.progress.total}
                  animated={first.state === 'running'}
                />
              )}
            </Group>
          </UnstyledButton>
        </Popover.Target>
        <Popover.Dropdown>
          <Stack gap="sm" mah={400} style={{ overflowY: 'auto' }}>
            {all.length === 0 && <Text size="sm">{t('noJobs')}</Text>}
            {all.slice(0, 20).map((j) => (
              <JobRow key={j.id} job={j} />
            ))}
          </Stack>
        </Popover.Dropdown>
      </Popover>
      <Text size="xs" c="dimmed" lineClamp={1}>
        {mode === 'browser' ? t('browserMode') : t('electronMode')} · {t('dataFolder')}: {dataDir}
      </Text>
    </Group>
  );
}
