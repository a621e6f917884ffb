import { Alert, Badge, Card, Group, Stack, Text, Title } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import type { Job } from '../../../../shared/jobs';
import { useEvent, useQuery } from '../../api';
import { JobRow } from '../../components/StatusBar';
import { formatBytes, shownState } from './runState';
import { TrainingCurves } from './TrainingCurves';

/** The same threshold as the core's warning (runs.ts). */
const FEW_EXAMPLES = 5;

/** One run: its state, warnings, data, live curves and model. */
export function RunPanel({ runId, job }: { runId: number; job: Job | null }): React.JSX.Element {
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
        {run.epochs.length > 0 ? <TrainingCurves run={run} /> : <Text c="dimmed">{t('noEpochYet')}</Text>}
        {run.modelPath && (
          <Text size="sm" data-testid="train-model">
            {t('modelLine', { epoch: run.bestEpoch, size: formatBytes(run.modelBytes) })}
          </Text>
        )}
      </Stack>
    </Card>
  );
}
