import { Alert, Badge, Loader, Stack } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { call, useQuery } from '../../api';
import type { StepProps } from '../../wizard/types';
import { CoOccurrencePanel } from './CoOccurrencePanel';
import { EvalDetail } from './EvalDetail';
import { EvalRunsTable } from './EvalRunsTable';
import { EvaluateHeader } from './EvaluateHeader';
import { refKey, refOfKey, withCi } from './format';
import { LabelCurvesPanel } from './LabelCurvesPanel';
import { LabelThresholdsPanel } from './LabelThresholdsPanel';
import { MultiLabelMetricsPanel } from './MultiLabelMetricsPanel';
import { ReportPanel } from './ReportPanel';
import { useRunEvaluation } from './useRunEvaluation';

/** The runs table's metric columns: the name's key, the evaluation's field. */
const RUN_COLUMNS = [
  ['microF1', 'microF1'],
  ['macroF1', 'macroF1'],
  ['multi.samplesF1', 'samplesF1'],
  ['multi.hammingLoss', 'hammingLoss'],
  ['multi.subsetAccuracy', 'subsetAccuracy'],
] as const;

const studentKey = (runId: number): string => refKey({ kind: 'student', runId });

/**
 * The Evaluate step of a multi-label project: every trained student against the gold label sets, its set metrics
 * with intervals, each label at its threshold, the thresholds (typed, or tuned on validation to a target), ROC and
 * PR per label, label co-occurrence and the model report.
 */
export function MultiLabelEvaluateStep({ project }: StepProps): React.JSX.Element {
  const { t } = useTranslation('evaluation');
  const projectId = project.id;
  const overview = useQuery('evaluation.multiOverview', { projectId });
  const runs = overview.data?.runs ?? [];
  const evaluations = useRunEvaluation({
    projectId,
    evaluateRun: (key) => call('evaluation.multiEvaluate', { projectId, runId: refOfKey(key).runId }),
    onEvaluated: () => {
      overview.reload();
      evaluation.reload();
    },
    onProjectChanged: overview.reload,
  });
  const selected =
    (evaluations.chosen !== null ? refOfKey(evaluations.chosen).runId : null) ??
    runs.find((r) => r.evaluation !== null)?.runId ??
    null;
  const selectedRun = runs.find((r) => r.runId === selected) ?? null;
  const evaluation = useQuery(
    'evaluation.multiGet',
    selected !== null && selectedRun?.evaluation ? { projectId, runId: selected } : null,
  );

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
        <EvalRunsTable
          columns={RUN_COLUMNS.map(([name]) => t(name))}
          rows={runs.map(({ runId, name, stale, evaluation: ev }) => ({
            key: studentKey(runId),
            kind: 'student',
            name,
            stale,
            cells: ev && RUN_COLUMNS.map(([, field]) => withCi(ev[field])),
          }))}
          selected={selected === null ? null : studentKey(selected)}
          busy={evaluations.busy}
          onSelect={evaluations.choose}
          onEvaluate={evaluations.run}
        />
      )}
      {evaluation.error && <Alert color="red">{evaluation.error.message}</Alert>}
      {e && selectedRun && (
        <EvalDetail
          modelKey={studentKey(selectedRun.runId)}
          name={selectedRun.name}
          notice={
            selectedRun.stale && (
              <Alert color="orange" data-testid="eval-stale-note">
                {t('multi.stale')}
              </Alert>
            )
          }
          tabs={[
            {
              value: 'metrics',
              label: t('multi.tabs.metrics'),
              panel: <MultiLabelMetricsPanel evaluation={e} />,
            },
            {
              value: 'thresholds',
              label: t('multi.tabs.thresholds'),
              panel: (
                <LabelThresholdsPanel
                  projectId={projectId}
                  overview={o}
                  run={selectedRun}
                  onChanged={() => evaluations.evaluate(studentKey(selectedRun.runId))}
                />
              ),
            },
            { value: 'curves', label: t('multi.tabs.curves'), panel: <LabelCurvesPanel evaluation={e} /> },
            {
              value: 'coOccurrence',
              label: t('multi.tabs.coOccurrence'),
              panel: <CoOccurrencePanel evaluation={e} />,
            },
            {
              value: 'report',
              label: t('multi.tabs.report'),
              panel: (
                <ReportPanel projectId={projectId} model={{ kind: 'student', runId: selectedRun.runId }} />
              ),
            },
          ]}
        />
      )}
    </Stack>
  );
}
