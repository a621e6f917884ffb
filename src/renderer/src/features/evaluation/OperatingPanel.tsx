import {
  Alert,
  Button,
  Group,
  NumberInput,
  Select,
  SegmentedControl,
  Stack,
  Table,
  Text,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type {
  EvaluationResult,
  OperatingBy,
  OperatingPoint,
  SavedThreshold,
} from '../../../../shared/evaluation';
import { ApiError, call, useByValue } from '../../api';
import { UnitInput } from './Controls';
import { fmt } from './format';

/** The operating point of one class: a threshold chosen by recall, precision or value, its costs, and saving it. */
export function OperatingPanel({
  projectId,
  evaluation,
  savedThreshold,
  onSaved,
}: {
  projectId: number;
  evaluation: EvaluationResult;
  savedThreshold: SavedThreshold | null;
  onSaved: () => void;
}): React.JSX.Element {
  const { t } = useTranslation('evaluation');
  const binary = evaluation.labels.length === 2;
  const [classIndex, setClassIndex] = useState(binary ? 1 : 0);
  const [by, setBy] = useState<OperatingBy>('recall');
  const [value, setValue] = useState(0.9);
  const [costFp, setCostFp] = useState(1);
  const [costFn, setCostFn] = useState(1);
  const [saving, setSaving] = useState(false);
  const target = { classIndex, by, value, costFp, costFn };
  // The target by value: a new object with the same content asks nothing again.
  const request = useByValue(target);
  // The point remembers the target it was computed for, so that what is shown never mixes two targets.
  const [point, setPoint] = useState<{
    target: typeof target;
    data?: OperatingPoint;
    error?: string;
  } | null>(null);
  useEffect(() => {
    let live = true;
    call('evaluation.operatingPoint', { projectId, model: evaluation.model, ...request }).then(
      (data) => live && setPoint({ target: request, data }),
      (e: ApiError) => live && setPoint({ target: request, error: e.message }),
    );
    return () => {
      live = false;
    };
  }, [request, projectId, evaluation.model]);
  const isStudent = evaluation.model.kind === 'student';

  const save = async (): Promise<void> => {
    setSaving(true);
    try {
      await call('evaluation.saveThreshold', { projectId, runId: evaluation.model.runId, ...target });
      notifications.show({ message: t('thresholdSaved') });
      onSaved();
    } catch (e) {
      notifications.show({ color: 'red', title: t('error'), message: (e as ApiError).message });
    } finally {
      setSaving(false);
    }
  };

  const p = point?.data;
  return (
    <Stack>
      <Text size="sm" c="dimmed">
        {t('operatingHelp')}
      </Text>
      <Group align="flex-end">
        <Select
          label={t('class')}
          w={180}
          allowDeselect={false}
          value={String(classIndex)}
          data={evaluation.labels.map((l, i) => ({ value: String(i), label: l }))}
          onChange={(v) => v !== null && setClassIndex(Number(v))}
          data-testid="op-class"
        />
        <Stack gap={4}>
          <Text size="sm" fw={500}>
            {t('by')}
          </Text>
          <SegmentedControl
            value={by}
            onChange={(v) => setBy(v as OperatingBy)}
            data={[
              { value: 'recall', label: t('byRecall') },
              { value: 'precision', label: t('byPrecision') },
              { value: 'threshold', label: t('byThreshold') },
            ]}
            data-testid="op-by"
          />
        </Stack>
        <UnitInput
          label={t('target')}
          w={110}
          step={0.05}
          value={value}
          onChange={(v) => typeof v === 'number' && v >= 0 && v <= 1 && setValue(v)}
          data-testid="op-target"
        />
        <NumberInput
          label={t('costFp')}
          w={150}
          min={0}
          value={costFp}
          onChange={(v) => typeof v === 'number' && v >= 0 && setCostFp(v)}
        />
        <NumberInput
          label={t('costFn')}
          w={150}
          min={0}
          value={costFn}
          onChange={(v) => typeof v === 'number' && v >= 0 && setCostFn(v)}
        />
      </Group>
      {point?.error && <Alert color="red">{point.error}</Alert>}
      {p && (
        <Stack
          gap="xs"
          data-testid="op-result"
          data-threshold={p.threshold}
          data-by={point?.target.by}
          data-target={point?.target.value}
        >
          {!p.achieved && <Alert color="orange">{t('notReached')}</Alert>}
          <Group>
            <Text>
              {t('threshold')}: <b data-testid="op-threshold">{fmt(p.threshold, 4)}</b>
            </Text>
            <Text>
              {t('precision')}: <b>{fmt(p.precision)}</b>
            </Text>
            <Text>
              {t('recall')}: <b>{fmt(p.recall)}</b>
            </Text>
            <Text>
              {t('specificity')}: <b>{fmt(p.specificity)}</b>
            </Text>
            <Text>
              {t('totalCost')}: <b data-testid="op-cost">{p.cost}</b>
            </Text>
          </Group>
          <Table withTableBorder withColumnBorders w="auto">
            <Table.Thead>
              <Table.Tr>
                <Table.Th />
                <Table.Th>
                  {t('predictedAxis')}: {p.label}
                </Table.Th>
                <Table.Th>
                  {t('predictedAxis')}: ¬{p.label}
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              <Table.Tr>
                <Table.Th>
                  {t('goldAxis')}: {p.label}
                </Table.Th>
                <Table.Td data-testid="op-tp">{p.tp}</Table.Td>
                <Table.Td data-testid="op-fn">{p.fn}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th>
                  {t('goldAxis')}: ¬{p.label}
                </Table.Th>
                <Table.Td data-testid="op-fp">{p.fp}</Table.Td>
                <Table.Td>{p.tn}</Table.Td>
              </Table.Tr>
            </Table.Tbody>
          </Table>
        </Stack>
      )}
      {isStudent ? (
        <Group>
          <Button onClick={() => void save()} loading={saving} disabled={!p} data-testid="op-save">
            {t('saveThreshold')}
          </Button>
          {savedThreshold && (
            <Text size="sm" data-testid="op-saved">
              {t('savedThreshold', {
                label: savedThreshold.label,
                threshold: fmt(savedThreshold.threshold, 4),
              })}
            </Text>
          )}
        </Group>
      ) : (
        <Text size="sm" c="dimmed">
          {t('onlyStudent')}
        </Text>
      )}
    </Stack>
  );
}
