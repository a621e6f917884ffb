import { Alert, Button, Group, Select, Stack, Table, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  LABEL_THRESHOLD_TARGETS,
  type MultiLabelOverview,
  type SavedLabelThresholds,
} from '../../../../shared/multilabelEvaluation';
import { DEFAULT_LABEL_THRESHOLD, MIN_THRESHOLD_POSITIVES } from '../../../../shared/student';
import { ApiError, call, useAction } from '../../api';
import { MetricName } from '../guide/MetricName';
import { SettingsCard, UnitInput } from './Controls';
import { fmt } from './format';
import { GoToStep } from '../../components/GoToStep';

type Run = MultiLabelOverview['runs'][number];
type TuneBy = (typeof LABEL_THRESHOLD_TARGETS)[number];
type Target = SavedLabelThresholds['targets'][number];

/** How a label's threshold in force was chosen, in the person's words. */
function chosenBy(
  t: (key: string, o?: Record<string, unknown>) => string,
  run: Run,
  label: string,
  labelIndex: number,
): string {
  if (!run.saved) return t('multi.by.model');
  const target = run.saved.targets.find((x) => x.label === label);
  if (!target) {
    // A label another label's tuning left alone keeps training's threshold.
    const k = run.saved.thresholds.length === run.modelThresholds?.length ? labelIndex : -1;
    return k >= 0 && run.saved.thresholds[k] === run.modelThresholds?.[k]
      ? t('multi.by.model')
      : t('multi.by.typed');
  }
  if (!target.met) return t('multi.by.notMet');
  return t(`multi.by.${target.by}`, { value: target.value });
}

const unit = (x: number): boolean => Number.isFinite(x) && x >= 0 && x <= 1;

/**
 * The thresholds of a multi-label student run: one for every label at once or each typed in, one label tuned on the
 * validation split to a target (best F1, or recall / precision at least a value), or back to training's. Every
 * change is saved with the model and then evaluated again (`onChanged`).
 */
export function LabelThresholdsPanel({
  projectId,
  overview,
  run,
  onChanged,
}: {
  projectId: number;
  overview: MultiLabelOverview;
  run: Run;
  onChanged: () => Promise<void>;
}): React.JSX.Element {
  const { t } = useTranslation('evaluation');
  const labels = run.labels;
  const inForce = run.thresholds ?? labels.map(() => DEFAULT_LABEL_THRESHOLD);
  const [draft, setDraft] = useState<number[]>([...inForce]);
  const [global, setGlobal] = useState<number>(DEFAULT_LABEL_THRESHOLD);
  const [tuneLabel, setTuneLabel] = useState<string>(labels[0] ?? '');
  const [tuneBy, setTuneBy] = useState<TuneBy>('recall');
  const [tuneValue, setTuneValue] = useState<number>(0.9);
  const [outcome, setOutcome] = useState<{ target: Target; threshold: number } | null>(null);
  const key = inForce.join(',');
  useEffect(() => {
    setDraft(key.split(',').map(Number));
  }, [key]);
  const positives = (label: string): number =>
    overview.validationPerLabel.find((v) => v.label === label)?.count ?? 0;

  // One change at a time: a second click while one is saved or evaluated does nothing.
  const change = useAction(async (request: 'save' | 'tune' | 'reset') => {
    try {
      const saved = await call('evaluation.multiThresholds', {
        projectId,
        runId: run.runId,
        ...(request === 'save'
          ? { thresholds: draft }
          : request === 'reset'
            ? { reset: true }
            : { tune: { label: tuneLabel, by: tuneBy, value: tuneBy === 'f1' ? undefined : tuneValue } }),
      });
      const target = request === 'tune' ? saved?.targets.find((x) => x.label === tuneLabel) : undefined;
      setOutcome(target && saved ? { target, threshold: saved.thresholds[labels.indexOf(tuneLabel)] } : null);
      await onChanged();
      notifications.show({ color: 'teal', message: t('multi.saved') });
    } catch (e) {
      notifications.show({ color: 'red', title: t('error'), message: (e as ApiError).message });
    }
  });
  const valid = draft.length === labels.length && draft.every(unit);

  return (
    <Stack data-testid="label-thresholds">
      <Text size="sm" c="dimmed">
        {t('multi.thresholdsHelp')}
      </Text>
      {overview.validationCount === 0 && (
        <Alert color="orange" data-testid="thresholds-no-validation">
          {t('multi.noValidation')}
          <GoToStep step="review" />
        </Alert>
      )}
      <Group align="flex-end" gap="xs">
        <UnitInput
          w={200}
          label={t('multi.global')}
          step={0.05}
          value={global}
          onChange={(x) => setGlobal(Number(x))}
          data-testid="threshold-global"
        />
        <Button
          variant="light"
          disabled={!unit(global)}
          onClick={() => setDraft(labels.map(() => global))}
          data-testid="threshold-apply-all"
        >
          {t('multi.applyAll')}
        </Button>
      </Group>
      <Table withTableBorder w="auto" data-testid="threshold-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('label')}</Table.Th>
            <Table.Th>
              <MetricName metric="threshold">{t('multi.threshold')}</MetricName>
            </Table.Th>
            <Table.Th>{t('multi.chosenBy')}</Table.Th>
            <Table.Th>{t('multi.validationDocs')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {labels.map((label, k) => (
            <Table.Tr key={label} data-testid="threshold-row" data-label={label}>
              <Table.Td>{label}</Table.Td>
              <Table.Td>
                <UnitInput
                  w={110}
                  size="xs"
                  step={0.05}
                  value={draft[k]}
                  error={unit(draft[k]) ? undefined : t('multi.invalid')}
                  onChange={(x) => setDraft(draft.map((v, i) => (i === k ? Number(x) : v)))}
                  aria-label={`${t('multi.threshold')}: ${label}`}
                  data-testid="threshold-input"
                />
              </Table.Td>
              <Table.Td data-testid="threshold-chosen-by">{chosenBy(t, run, label, k)}</Table.Td>
              <Table.Td>{positives(label)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Group gap="xs">
        <Button
          disabled={!valid}
          loading={change.pending}
          onClick={() => change.run('save')}
          data-testid="threshold-save"
        >
          {t('multi.save')}
        </Button>
        <Button
          variant="default"
          disabled={!run.saved}
          loading={change.pending}
          onClick={() => change.run('reset')}
          data-testid="threshold-reset"
        >
          {t('multi.reset')}
        </Button>
      </Group>
      <SettingsCard title={t('multi.tuneTitle')}>
        <Group gap="xs" align="flex-end">
          <Select
            w={220}
            label={t('multi.tuneLabel')}
            value={tuneLabel}
            allowDeselect={false}
            data={[...labels]}
            onChange={(l) => l && setTuneLabel(l)}
            data-testid="tune-label"
          />
          <Select
            w={180}
            label={t('multi.tuneBy')}
            value={tuneBy}
            allowDeselect={false}
            data={[
              { value: 'recall', label: t('multi.byRecall') },
              { value: 'precision', label: t('multi.byPrecision') },
              { value: 'f1', label: t('multi.byF1') },
            ]}
            onChange={(b) => b && setTuneBy(b as TuneBy)}
            data-testid="tune-by"
          />
          {tuneBy !== 'f1' && (
            <UnitInput
              w={110}
              label={t('multi.tuneValue')}
              step={0.01}
              value={tuneValue}
              onChange={(x) => setTuneValue(Number(x))}
              data-testid="tune-value"
            />
          )}
          <Button
            disabled={overview.validationCount === 0 || (tuneBy !== 'f1' && !unit(tuneValue))}
            loading={change.pending}
            onClick={() => change.run('tune')}
            data-testid="tune-run"
          >
            {t('multi.tune')}
          </Button>
        </Group>
        {positives(tuneLabel) < MIN_THRESHOLD_POSITIVES && overview.validationCount > 0 && (
          <Text size="sm" c="orange" data-testid="tune-few">
            {t('multi.fewPositives', { count: positives(tuneLabel), label: tuneLabel })}
          </Text>
        )}
        {outcome && (
          <Text
            size="sm"
            c={outcome.target.met ? undefined : 'red'}
            data-testid="tune-outcome"
            data-met={outcome.target.met}
          >
            {outcome.target.met
              ? t('multi.tuned', {
                  label: outcome.target.label,
                  threshold: fmt(outcome.threshold),
                  positives: outcome.target.positives,
                })
              : t('multi.notMet', { label: outcome.target.label, positives: outcome.target.positives })}
          </Text>
        )}
      </SettingsCard>
    </Stack>
  );
}
