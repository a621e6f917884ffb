import { Alert, Badge, Group, Loader, Select, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DocumentFilter, EvaluationResult, Outcome } from '../../../../shared/evaluation';
import { OUTCOMES } from '../../../../shared/evaluation';
import { call, useQuery } from '../../api';
import type { StepProps } from '../../wizard/types';
import { ConfidenceHistogram, ConfusionGrid, CurveChart, ReliabilityChart } from './Charts';
import { ComparePanel } from './ComparePanel';
import { EvaluateHeader } from './EvaluateHeader';
import { DocumentsDrawer } from './DocumentsDrawer';
import { EvalDetail, type EvalTab } from './EvalDetail';
import { EvalRunsTable } from './EvalRunsTable';
import { fmt, refKey, refOfKey, withCi } from './format';
import { MetricsPanel } from './MetricsPanel';
import { MultiLabelEvaluateStep } from './MultiLabelEvaluateStep';
import { OperatingPanel } from './OperatingPanel';
import { ReportPanel } from './ReportPanel';
import { TeacherVsStudentPanel } from './TeacherVsStudentPanel';
import { useRunEvaluation } from './useRunEvaluation';

const SINGLE_TABS = [
  'metrics',
  'confusion',
  'curves',
  'calibration',
  'operating',
  'teacherVsStudent',
  'compare',
  'report',
] as const;

function CurvesPanel({
  evaluation,
  onDocuments,
}: {
  evaluation: EvaluationResult;
  onDocuments: (filter: DocumentFilter, title: string) => void;
}): React.JSX.Element {
  const { t } = useTranslation('evaluation');
  const [outcome, setOutcome] = useState<Outcome>('fp');
  const open = (classIndex: number, threshold: number | null): void =>
    onDocuments(
      { kind: 'threshold', classIndex, threshold, outcome },
      `${evaluation.labels[classIndex]} ≥ ${fmt(threshold)}: ${t(`outcomes.${outcome}`)}`,
    );
  return (
    <Stack>
      <Group>
        <Text size="sm" c="dimmed">
          {t('curveHelp')}
        </Text>
        <Select
          size="xs"
          w={280}
          label={t('outcome')}
          allowDeselect={false}
          value={outcome}
          onChange={(v) => v && setOutcome(v as Outcome)}
          data={OUTCOMES.map((o) => ({ value: o, label: t(`outcomes.${o}`) }))}
          data-testid="curve-outcome"
        />
      </Group>
      <Group align="flex-start">
        <CurveChart kind="roc" classes={evaluation.perClass} onPoint={open} testId="roc-chart" />
        <CurveChart kind="pr" classes={evaluation.perClass} onPoint={open} testId="pr-chart" />
      </Group>
    </Stack>
  );
}

/**
 * The Evaluate step: a multi-label project's (MultiLabelEvaluateStep.tsx), or a single-label project's: every run
 * against the gold test set, drill-down to documents, operating point, report.
 */
export function EvaluateStep(props: StepProps): React.JSX.Element {
  return props.project.kind === 'multi' ? (
    <MultiLabelEvaluateStep {...props} />
  ) : (
    <SingleLabelEvaluateStep {...props} />
  );
}

function SingleLabelEvaluateStep({ project }: StepProps): React.JSX.Element {
  const { t } = useTranslation('evaluation');
  const projectId = project.id;
  const overview = useQuery('evaluation.overview', { projectId });
  const [drill, setDrill] = useState<{ filter: DocumentFilter; title: string } | null>(null);
  const candidates = overview.data?.candidates ?? [];
  const runs = useRunEvaluation({
    projectId,
    evaluateRun: (key) => call('evaluation.evaluate', { projectId, model: refOfKey(key) }),
    onEvaluated: () => {
      overview.reload();
      evaluation.reload();
    },
    onProjectChanged: overview.reload,
  });
  const selected =
    (runs.chosen !== null ? refOfKey(runs.chosen) : null) ??
    candidates.find((c) => c.evaluation !== null)?.model ??
    null;
  const selectedCandidate = candidates.find((c) => selected && refKey(c.model) === refKey(selected)) ?? null;
  const evaluation = useQuery(
    'evaluation.get',
    selected && selectedCandidate?.evaluation ? { projectId, model: selected } : null,
  );

  if (overview.error) return <Alert color="red">{overview.error.message}</Alert>;
  if (!overview.data) return <Loader />;
  const o = overview.data;
  const e = selectedCandidate?.evaluation && evaluation.data ? evaluation.data : null;
  const showDocs = (filter: DocumentFilter, title: string): void => setDrill({ filter, title });
  const tabs = (panels: Record<(typeof SINGLE_TABS)[number], React.ReactNode>): EvalTab[] =>
    SINGLE_TABS.map((tab) => ({ value: tab, label: t(`tabs.${tab}`), panel: panels[tab] }));

  return (
    <Stack data-testid="evaluate-step">
      <EvaluateHeader
        projectId={projectId}
        badges={
          <>
            <Badge variant="light" data-testid="eval-gold-count">
              {t('goldCount', { count: o.goldCount })}
            </Badge>
            {o.reviewRequests > 0 && (
              <Badge color="indigo" variant="light" data-testid="eval-review-requests">
                {t('reviewRequests', { count: o.reviewRequests })}
              </Badge>
            )}
          </>
        }
        intro={t('intro')}
        noGold={o.goldCount === 0 ? t('noGold') : null}
        noRuns={candidates.length === 0 ? t('noRuns') : null}
      />
      {candidates.length > 0 && (
        <EvalRunsTable
          columns={[t('accuracy'), t('macroF1'), t('weightedF1'), t('kappa'), t('auc'), t('eceShort')]}
          rows={candidates.map((c) => ({
            key: refKey(c.model),
            kind: c.model.kind,
            name: c.name,
            cells: c.evaluation && [
              withCi(c.evaluation.accuracy),
              withCi(c.evaluation.macroF1),
              withCi(c.evaluation.weightedF1),
              withCi(c.evaluation.kappa),
              fmt(c.evaluation.macroAuc),
              fmt(c.evaluation.ece),
            ],
          }))}
          selected={selected && refKey(selected)}
          busy={runs.busy}
          onSelect={runs.choose}
          onEvaluate={runs.run}
        />
      )}
      {evaluation.error && <Alert color="red">{evaluation.error.message}</Alert>}
      {e && selected && (
        <EvalDetail
          modelKey={refKey(selected)}
          name={e.modelName}
          notice={e.missing > 0 && <Alert color="orange">{t('missing', { count: e.missing })}</Alert>}
          tabs={tabs({
            metrics: <MetricsPanel evaluation={e} />,
            confusion: (
              <ConfusionGrid
                evaluation={e}
                onCell={(gold, predicted) =>
                  showDocs(
                    { kind: 'cell', gold, predicted },
                    `${t('goldAxis')} ${e.labels[gold]} → ${t('predictedAxis')} ${e.labels[predicted]}`,
                  )
                }
              />
            ),
            curves: <CurvesPanel evaluation={e} onDocuments={showDocs} />,
            calibration: (
              <>
                <Text size="sm" c="dimmed" mb="sm">
                  {t('reliabilityHelp')}
                </Text>
                <Group align="flex-start">
                  <ReliabilityChart
                    evaluation={e}
                    onBin={(bin) =>
                      showDocs(
                        { kind: 'bin', bin },
                        `${t('confidence')} ${fmt(e.reliability[bin].lower, 1)}–${fmt(e.reliability[bin].upper, 1)}`,
                      )
                    }
                  />
                  <ConfidenceHistogram evaluation={e} />
                </Group>
              </>
            ),
            operating: (
              <OperatingPanel
                projectId={projectId}
                evaluation={e}
                savedThreshold={selectedCandidate?.threshold ?? null}
                onSaved={overview.reload}
              />
            ),
            teacherVsStudent: <TeacherVsStudentPanel projectId={projectId} model={selected} />,
            compare: <ComparePanel projectId={projectId} candidates={candidates} />,
            report: <ReportPanel projectId={projectId} model={selected} />,
          })}
        >
          <DocumentsDrawer
            projectId={projectId}
            model={selected}
            filter={drill?.filter ?? null}
            title={drill?.title ?? ''}
            onClose={() => setDrill(null)}
            onSent={overview.reload}
          />
        </EvalDetail>
      )}
    </Stack>
  );
}
