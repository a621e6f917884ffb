import { Alert, Badge, Button, Group, Loader, Select, Stack, Table, Tabs, Text, Title } from '@mantine/core';
import { runNameText } from '../../../../shared/runText';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type {
  DocumentFilter,
  EvaluationCandidate,
  EvaluationResult,
  ModelRef,
  Outcome,
} from '../../../../shared/evaluation';
import { OUTCOMES } from '../../../../shared/evaluation';
import { ApiError, call, useAction, useEvent, useQuery } from '../../api';
import type { StepProps } from '../../wizard/types';
import { ConfidenceHistogram, ConfusionGrid, CurveChart, ReliabilityChart } from './Charts';
import { ComparePanel } from './ComparePanel';
import { EvaluateHeader } from './EvaluateHeader';
import { DocumentsDrawer } from './DocumentsDrawer';
import { fmt, refKey, withCi } from './format';
import { MetricsPanel } from './MetricsPanel';
import { MultiLabelEvaluateStep } from './MultiLabelEvaluateStep';
import { OperatingPanel } from './OperatingPanel';
import { ReportPanel } from './ReportPanel';
import { TeacherVsStudentPanel } from './TeacherVsStudentPanel';

function RunsTable({
  candidates,
  selected,
  busy,
  onSelect,
  onEvaluate,
}: {
  candidates: readonly EvaluationCandidate[];
  selected: ModelRef | null;
  busy: string | null;
  onSelect: (m: ModelRef) => void;
  onEvaluate: (m: ModelRef) => void;
}): React.JSX.Element {
  const { t, i18n } = useTranslation('evaluation');
  return (
    <Table withTableBorder highlightOnHover data-testid="eval-runs">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t('model')}</Table.Th>
          <Table.Th>{t('accuracy')}</Table.Th>
          <Table.Th>{t('macroF1')}</Table.Th>
          <Table.Th>{t('weightedF1')}</Table.Th>
          <Table.Th>{t('kappa')}</Table.Th>
          <Table.Th>{t('auc')}</Table.Th>
          <Table.Th>{t('eceShort')}</Table.Th>
          <Table.Th />
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {candidates.map((c) => {
          const key = refKey(c.model);
          const e = c.evaluation;
          const isSelected = selected !== null && refKey(selected) === key;
          return (
            <Table.Tr
              key={key}
              data-testid="eval-run-row"
              data-model={key}
              bg={isSelected ? 'var(--mantine-color-indigo-light)' : undefined}
            >
              <Table.Td>
                <Group gap="xs">
                  <Badge variant="light" color={c.model.kind === 'teacher' ? 'grape' : 'indigo'}>
                    {c.model.kind === 'teacher' ? t('teacher') : t('student')}
                  </Badge>
                  <Text size="sm">{runNameText(c.name, i18n.language)}</Text>
                </Group>
              </Table.Td>
              {e ? (
                <>
                  <Table.Td>{withCi(e.accuracy)}</Table.Td>
                  <Table.Td>{withCi(e.macroF1)}</Table.Td>
                  <Table.Td>{withCi(e.weightedF1)}</Table.Td>
                  <Table.Td>{withCi(e.kappa)}</Table.Td>
                  <Table.Td>{fmt(e.macroAuc)}</Table.Td>
                  <Table.Td>{fmt(e.ece)}</Table.Td>
                </>
              ) : (
                <Table.Td colSpan={6}>
                  <Text size="sm" c="dimmed">
                    {t('notEvaluated')}
                  </Text>
                </Table.Td>
              )}
              <Table.Td>
                <Group gap="xs" wrap="nowrap">
                  <Button
                    size="xs"
                    variant={e ? 'default' : 'filled'}
                    loading={busy === key}
                    onClick={() => onEvaluate(c.model)}
                    data-testid="eval-evaluate"
                  >
                    {e ? t('reevaluate') : t('evaluate')}
                  </Button>
                  {e && (
                    <Button
                      size="xs"
                      variant={isSelected ? 'filled' : 'light'}
                      onClick={() => onSelect(c.model)}
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
  const { t, i18n } = useTranslation('evaluation');
  const projectId = project.id;
  const overview = useQuery('evaluation.overview', { projectId });
  const [chosen, setChosen] = useState<ModelRef | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [drill, setDrill] = useState<{ filter: DocumentFilter; title: string } | null>(null);
  useEvent('project.changed', (e) => {
    if (e.projectId === projectId && e.what !== 'evaluation') overview.reload();
  });

  const candidates = overview.data?.candidates ?? [];
  const selected = chosen ?? candidates.find((c) => c.evaluation !== null)?.model ?? null;
  const selectedCandidate = candidates.find((c) => selected && refKey(c.model) === refKey(selected)) ?? null;
  const evaluation = useQuery(
    'evaluation.get',
    selected && selectedCandidate?.evaluation ? { projectId, model: selected } : null,
  );

  // One evaluation at a time: a double click evaluates once.
  const evaluateAction = useAction((model: ModelRef) => evaluate(model));
  async function evaluate(model: ModelRef): Promise<void> {
    setBusy(refKey(model));
    try {
      await call('evaluation.evaluate', { projectId, model });
      setChosen(model);
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
  const e = selectedCandidate?.evaluation && evaluation.data ? evaluation.data : null;
  const showDocs = (filter: DocumentFilter, title: string): void => setDrill({ filter, title });

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
        <RunsTable
          candidates={candidates}
          selected={selected}
          busy={busy}
          onSelect={setChosen}
          onEvaluate={evaluateAction.run}
        />
      )}
      {evaluation.error && <Alert color="red">{evaluation.error.message}</Alert>}
      {e && selected && (
        <Stack data-testid="eval-detail" data-model={refKey(selected)}>
          <Title order={4}>{runNameText(e.modelName, i18n.language)}</Title>
          {e.missing > 0 && <Alert color="orange">{t('missing', { count: e.missing })}</Alert>}
          <Tabs defaultValue="metrics" keepMounted={false}>
            <Tabs.List>
              {(
                [
                  'metrics',
                  'confusion',
                  'curves',
                  'calibration',
                  'operating',
                  'teacherVsStudent',
                  'compare',
                  'report',
                ] as const
              ).map((tab) => (
                <Tabs.Tab key={tab} value={tab} data-testid={`eval-tab-${tab}`}>
                  {t(`tabs.${tab}`)}
                </Tabs.Tab>
              ))}
            </Tabs.List>
            <Tabs.Panel value="metrics" pt="md">
              <MetricsPanel evaluation={e} />
            </Tabs.Panel>
            <Tabs.Panel value="confusion" pt="md">
              <ConfusionGrid
                evaluation={e}
                onCell={(gold, predicted) =>
                  showDocs(
                    { kind: 'cell', gold, predicted },
                    `${t('goldAxis')} ${e.labels[gold]} → ${t('predictedAxis')} ${e.labels[predicted]}`,
                  )
                }
              />
            </Tabs.Panel>
            <Tabs.Panel value="curves" pt="md">
              <CurvesPanel evaluation={e} onDocuments={showDocs} />
            </Tabs.Panel>
            <Tabs.Panel value="calibration" pt="md">
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
            </Tabs.Panel>
            <Tabs.Panel value="operating" pt="md">
              <OperatingPanel
                projectId={projectId}
                evaluation={e}
                savedThreshold={selectedCandidate?.threshold ?? null}
                onSaved={overview.reload}
              />
            </Tabs.Panel>
            <Tabs.Panel value="teacherVsStudent" pt="md">
              <TeacherVsStudentPanel projectId={projectId} model={selected} />
            </Tabs.Panel>
            <Tabs.Panel value="compare" pt="md">
              <ComparePanel projectId={projectId} candidates={candidates} />
            </Tabs.Panel>
            <Tabs.Panel value="report" pt="md">
              <ReportPanel projectId={projectId} model={selected} />
            </Tabs.Panel>
          </Tabs>
          <DocumentsDrawer
            projectId={projectId}
            model={selected}
            filter={drill?.filter ?? null}
            title={drill?.title ?? ''}
            onClose={() => setDrill(null)}
            onSent={overview.reload}
          />
        </Stack>
      )}
    </Stack>
  );
}
