import { Alert, Badge, Button, Group, Loader, Stack, Table, Tabs, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { MultiLabelOverview } from '../../../../shared/multilabelEvaluation';
import { runNameText } from '../../../../shared/runText';
import { ApiError, call, useAction, useEvent, useQuery } from '../../api';
import type { StepProps } from '../../wizard/types';
import { CoOccurrencePanel } from './CoOccurrencePanel';
import { EvaluateHeader } from './EvaluateHeader';
import { withCi } from './format';
import { LabelCurvesPanel } from './LabelCurvesPanel';
import { LabelThresholdsPanel } from './LabelThresholdsPanel';
import { MultiLabelMetricsPanel } from './MultiLabelMetricsPanel';
import { ReportPanel } from './ReportPanel';

type Run = MultiLabelOverview['runs'][number];

function RunsTable({
  runs,
  selected,
  busy,
  onSelect,
  onEvaluate,
}: {
  runs: readonly Run[];
  selected: number | null;
  busy: number | null;
  onSelect: (runId: number) => void;
  onEvaluate: (runId: number) => void;
}): React.JSX.Element {
  const { t, i18n } = useTranslation('evaluation');
  return (
    <Table withTableBorder highlightOnHover data-testid="eval-runs">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t('model')}</Table.Th>
          <Table.Th>{t('microF1')}</Table.Th>
          <Table.Th>{t('macroF1')}</Table.Th>
          <Table.Th>{t('multi.samplesF1')}</Table.Th>
          <Table.Th>{t('multi.hammingLoss')}</Table.Th>
          <Table.Th>{t('multi.subsetAccuracy')}</Table.Th>
          <Table.Th />
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {runs.map((r) => {
          const e = r.evaluation;
          const isSelected = selected === r.runId;
          return (
            <Table.Tr
              key={r.runId}
              data-testid="eval-run-row"
              data-model={`student-${r.runId}`}
              bg={isSelected ? 'var(--mantine-color-indigo-light)' : undefined}
            >
              <Table.Td>
                <Group gap="xs">
                  <Badge variant="light" color="indigo">
                    {t('student')}
                  </Badge>
                  <Text size="sm">{runNameText(r.name, i18n.language)}</Text>
                  {r.stale && (
                    <Badge variant="light" color="orange" data-testid="eval-stale">
                      {t('multi.staleBadge')}
                    </Badge>
                  )}
                </Group>
              </Table.Td>
              {e ? (
                <>
                  <Table.Td>{withCi(e.microF1)}</Table.Td>
                  <Table.Td>{withCi(e.macroF1)}</Table.Td>
                  <Table.Td>{withCi(e.samplesF1)}</Table.Td>
                  <Table.Td>{withCi(e.hammingLoss)}</Table.Td>
                  <Table.Td>{withCi(e.subsetAccuracy)}</Table.Td>
                </>
              ) : (
                <Table.Td colSpan={5}>
                  <Text size="sm" c="dimmed">
                    {t('notEvaluated')}
                  </Text>
                </Table.Td>
              )}
              <Table.Td>
                <Group gap="xs" wrap="nowrap">
                  <Button
                    size="xs"
                    variant={e && !r.stale ? 'default' : 'filled'}
                    loading={busy === r.runId}
                    onClick={() => onEvaluate(r.runId)}
                    data-testid="eval-evaluate"
                  >
                    {e ? t('reevaluate') : t('evaluate')}
                  </Button>
                  {e && (
                    <Button
                      size="xs"
                      variant={isSelected ? 'filled' : 'light'}
                      onClick={() => onSelect(r.runId)}
                      data-testid="eval-show"
                    >
                      {isSelected ? t('shown') : t('show')}
                    </Button>
                  )}
                </Group>
              </Table.Td>
            </Table.Tr>
          );
        })}
      </Table.Tbody>
    </Table>
  );
}

/**
 * The Evaluate step of a multi-label project: every trained student against the gold label sets, its set metrics
 * with intervals, each label at its threshold, the thresholds (typed, or tuned on validation to a target), ROC and
 * PR per label, label co-occurrence and the model report.
 */
export function MultiLabelEvaluateStep({ project }: StepProps): React.JSX.Element {
  const { t, i18n } = useTranslation('evaluation');
  const projectId = project.id;
  const overview = useQuery('evaluation.multiOverview', { projectId });
  const [chosen, setChosen] = useState<number | null>(null);
  const [busy, setBusy] = useState<number | null>(null);
  useEvent('project.changed', (e) => {
    if (e.projectId === projectId && e.what !== 'evaluation') overview.reload();
  });
  const runs = overview.data?.runs ?? [];
  const selected = chosen ?? runs.find((r) => r.evaluation !== null)?.runId ?? null;
  const selectedRun = runs.find((r) => r.runId === selected) ?? null;
  const evaluation = useQuery(
    'evaluation.multiGet',
    selected !== null && selectedRun?.evaluation ? { projectId, runId: selected } : null,
  );

  // One evaluation at a time: a double click evaluates once.
  const evaluateAction = useAction((runId: number) => evaluate(runId));
  async function evaluate(runId: number): Promise<void> {
    setBusy(runId);
    try {
      await call('evaluation.multiEvaluate', { projectId, runId });
      setChosen(runId);
      overview.reload();
      evaluation.reload();
    } catch (e) {
      notifications.show({ color: 'red', title: t('error'), message: (e as ApiError).message });
    } finally {
      setBusy(null);
    }
  }

  if (overview.error) return <Alert color="red">{overview.error.message}</Alert>;
  if (!overview.data) return <Loader />;
  const o = overview.data;
  const e = selectedRun?.evaluation && evaluation.data ? evaluation.data : null;

  return (
    <Stack data-testid="evaluate-step" data-kind="multi">
      <EvaluateHeader
        projectId={projectId}
        badges={
          <>
            <Badge variant="light" data-testid="eval-gold-count" data-count={o.goldCount}>
              {t('goldCount', { count: o.goldCount })}
            </Badge>
            {o.goldNone > 0 && (
              <Badge variant="light" color="gray" data-testid="eval-gold-none">
                {t('multi.goldNone', { count: o.goldNone })}
              </Badge>
            )}
          </>
        }
        intro={t('multi.intro')}
        noGold={o.goldCount === 0 ? t('multi.noGold') : null}
        noRuns={runs.length === 0 ? t('multi.noRuns') : null}
      />
      {runs.length > 0 && (
        <RunsTable
          runs={runs}
          selected={selected}
          busy={busy}
          onSelect={setChosen}
          onEvaluate={evaluateAction.run}
        />
      )}
      {evaluation.error && <Alert color="red">{evaluation.error.message}</Alert>}
      {e && selectedRun && (
        <Stack data-testid="eval-detail" data-model={`student-${selectedRun.runId}`}>
          <Title order={4}>{runNameText(selectedRun.name, i18n.language)}</Title>
          {selectedRun.stale && (
            <Alert color="orange" data-testid="eval-stale-note">
              {t('multi.stale')}
            </Alert>
          )}
          <Tabs defaultValue="metrics" keepMounted={false}>
            <Tabs.List>
              {(['metrics', 'thresholds', 'curves', 'coOccurrence', 'report'] as const).map((tab) => (
                <Tabs.Tab key={tab} value={tab} data-testid={`eval-tab-${tab}`}>
                  {t(`multi.tabs.${tab}`)}
                </Tabs.Tab>
              ))}
            </Tabs.List>
            <Tabs.Panel value="metrics" pt="md">
              <MultiLabelMetricsPanel evaluation={e} />
            </Tabs.Panel>
            <Tabs.Panel value="thresholds" pt="md">
              <LabelThresholdsPanel
                projectId={projectId}
                overview={o}
                run={selectedRun}
                onChanged={() => evaluate(selectedRun.runId)}
              />
            </Tabs.Panel>
            <Tabs.Panel value="curves" pt="md">
              <LabelCurvesPanel evaluation={e} />
            </Tabs.Panel>
            <Tabs.Panel value="coOccurrence" pt="md">
              <CoOccurrencePanel evaluation={e} />
            </Tabs.Panel>
            <Tabs.Panel value="report" pt="md">
              <ReportPanel projectId={projectId} model={{ kind: 'student', runId: selectedRun.runId }} />
            </Tabs.Panel>
          </Tabs>
        </Stack>
      )}
    </Stack>
  );
}
