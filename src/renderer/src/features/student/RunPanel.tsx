import { Alert, Badge, Card, Group, Stack, Table, Text, Title } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import type { Job } from '../../../../shared/jobs';
import type { AutoReport } from '../../../../shared/student';
import { useEvent, useQuery } from '../../api';
import { JobRow } from '../../components/StatusBar';
import { formatBytes } from '../../../../shared/disk';
import { shownState } from './runState';
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
  const phase = job?.progress.phase ?? null;
  const { reload } = detail;
  useEffect(() => {
    if (jobState && ['completed', 'failed', 'cancelled', 'interrupted'].includes(jobState)) reload();
  }, [jobState, reload]);
  // Auto's trials are written between epochs of no run: a new phase (the next configuration) may bring one.
  useEffect(() => {
    if (phase) reload();
  }, [phase, reload]);
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
        {run.auto && <AutoTrials auto={run.auto} running={state === 'running' || state === 'paused'} />}
        {run.epochs.length > 0 ? <TrainingCurves run={run} /> : <Text c="dimmed">{t('noEpochYet')}</Text>}
        {run.modelPath && run.finalFit ? (
          <Stack gap={2} data-testid="train-model" data-final-fit="true">
            <Text size="sm">
              {t('finalFit.modelLine', {
                ...run.finalFit,
                epoch: run.bestEpoch,
                size: formatBytes(run.modelBytes),
              })}
            </Text>
            <Text size="sm" c="dimmed">
              {t('finalFit.note')}
            </Text>
          </Stack>
        ) : (
          run.modelPath && (
            <Text size="sm" data-testid="train-model">
              {t('modelLine', { epoch: run.bestEpoch, size: formatBytes(run.modelBytes) })}
            </Text>
          )
        )}
      </Stack>
    </Card>
  );
}

/** What Auto mode tried for a run (shared/student.ts AutoReport), the configuration it kept, and how each did. */
function AutoTrials({ auto, running }: { auto: AutoReport; running: boolean }): React.JSX.Element {
  const { t } = useTranslation('student');
  // A multi-label run's trials vary the L2 penalty instead of class balance (MULTI_LABEL_AUTO_CONFIGURATIONS).
  const multi = auto.trials.some((trial) => trial.l2 !== undefined);
  return (
    <Stack gap={4} data-testid="train-auto-trials" data-chosen={auto.chosen ?? ''}>
      <Text size="sm" fw={500}>
        {t('auto.title')}
      </Text>
      <Text size="sm" data-testid="train-auto-status">
        {auto.chosen === null
          ? running
            ? t('auto.trying', {
                trial: Math.min(auto.trials.length + 1, auto.configurations),
                of: auto.configurations,
              })
            : ''
          : t('auto.tried', { count: auto.trials.length, of: auto.configurations, chosen: auto.chosen })}
      </Text>
      {auto.chosen !== null && auto.skipped > 0 && (
        <Text size="sm" c="dimmed">
          {t('auto.skipped', { count: auto.skipped, budget: auto.budgetSeconds })}
        </Text>
      )}
      {auto.trials.length > 0 && (
        <Table striped withTableBorder fz="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('auto.trial')}</Table.Th>
              <Table.Th>{t('auto.features')}</Table.Th>
              {!multi && <Table.Th>{t('auto.classBalance')}</Table.Th>}
              <Table.Th>{t('auto.l2')}</Table.Th>
              <Table.Th>{t('auto.learningRate')}</Table.Th>
              <Table.Th>{t('auto.score')}</Table.Th>
              <Table.Th>{t('auto.seconds')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {auto.trials.map((trial) => (
              <Table.Tr key={trial.trial} data-testid="train-auto-trial">
                <Table.Td>
                  {trial.trial}
                  {trial.trial === auto.chosen && (
                    <Badge ml="xs" size="xs" color="teal" variant="light">
                      {t('auto.chosen')}
                    </Badge>
                  )}
                </Table.Td>
                <Table.Td>
                  {t(`features.${trial.features}`)}
                  {trial.averageWeights === true && (
                    <Text span size="xs" c="dimmed">
                      {' '}
                      ({t('auto.averaged')})
                    </Text>
                  )}
                </Table.Td>
                {!multi && <Table.Td>{trial.classBalance}</Table.Td>}
                <Table.Td>{trial.l2 ?? '–'}</Table.Td>
                <Table.Td>{trial.learningRate}</Table.Td>
                <Table.Td>
                  {trial.valMacroF1 === null ? '–' : trial.valMacroF1.toFixed(3)}{' '}
                  <Text span size="xs" c="dimmed">
                    {t(`auto.measuredOn_${trial.measuredOn}`, { count: trial.validationCount })}
                  </Text>
                </Table.Td>
                <Table.Td>{trial.seconds.toFixed(1)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
