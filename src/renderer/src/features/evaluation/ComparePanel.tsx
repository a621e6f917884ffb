import { Alert, Button, Group, Select, SimpleGrid, Stack, Table, Text } from '@mantine/core';
import { runNameText } from '../../../../shared/runText';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { EvaluationCandidate, ModelRef, RunDiff } from '../../../../shared/evaluation';
import { ApiError, call } from '../../api';
import { fmt, refKey } from './format';
import { MetricName } from '../guide/MetricName';
import type { MetricKey } from '../guide/i18n';

/** The guide's explanation for each metric name of the comparison. */
const EXPLAINED: Readonly<Record<string, MetricKey>> = {
  accuracy: 'accuracy',
  'macro F1': 'macroF1',
  'micro F1': 'microF1',
  'weighted F1': 'weightedF1',
  "Cohen's kappa": 'kappa',
  'macro AUC': 'macroAuc',
  ECE: 'ece',
};
const signed = (v: number | null): string => (v === null ? '—' : `${v > 0 ? '+' : ''}${fmt(v)}`);

/** Two evaluated models side by side: the settings that differ and the change of every metric. */
export function ComparePanel({
  projectId,
  candidates,
}: {
  projectId: number;
  candidates: readonly EvaluationCandidate[];
}): React.JSX.Element {
  const { t, i18n } = useTranslation('evaluation');
  // Setting keys are the stored names ("best epoch", "learningRate"): show the words a person reads in the forms.
  const settingLabel = (key: string): string => {
    const own = `evaluation:settingNames.${key.replace(/[^A-Za-z0-9]/g, '_')}`;
    if (i18n.exists(own)) return t(own);
    if (i18n.exists(`student:field.${key}`)) return t(`student:field.${key}`);
    return key;
  };
  const metricLabel = (name: string): string => {
    const own = `evaluation:metricNames.${name.replace(/[^A-Za-z0-9]/g, '_')}`;
    if (i18n.exists(own)) return t(own);
    if (name.startsWith('F1 ')) return t('metricNames.perLabelF1', { label: name.slice(3) });
    return name;
  };
  const evaluated = candidates.filter((c) => c.evaluation !== null);
  const [a, setA] = useState<string | null>(evaluated[1] ? refKey(evaluated[1].model) : null);
  const [b, setB] = useState<string | null>(evaluated[0] ? refKey(evaluated[0].model) : null);
  const [diff, setDiff] = useState<RunDiff | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (evaluated.length < 2) return <Text c="dimmed">{t('needTwo')}</Text>;
  const options = evaluated.map((c) => ({
    value: refKey(c.model),
    label: runNameText(c.name, i18n.language),
  }));
  const find = (key: string | null): ModelRef | undefined =>
    evaluated.find((c) => refKey(c.model) === key)?.model;
  const run = async (): Promise<void> => {
    const ra = find(a);
    const rb = find(b);
    if (!ra || !rb) return;
    try {
      setDiff(await call('evaluation.compare', { projectId, a: ra, b: rb }));
      setError(null);
    } catch (e) {
      setError((e as ApiError).message);
    }
  };
  return (
    <Stack>
      <Group align="flex-end">
        <Select label={t('runA')} w={260} data={options} value={a} onChange={setA} allowDeselect={false} />
        <Select label={t('runB')} w={260} data={options} value={b} onChange={setB} allowDeselect={false} />
        <Button onClick={() => void run()} data-testid="compare-run">
          {t('compare')}
        </Button>
      </Group>
      {error && <Alert color="red">{error}</Alert>}
      {diff && (
        <Alert
          color={diff.significance.significant ? 'teal' : 'gray'}
          data-testid="compare-significance"
          data-significant={diff.significance.significant ? 'yes' : 'no'}
        >
          {t(diff.significance.significant ? 'significance.real' : 'significance.chance', {
            n: diff.significance.shared,
            onlyA: diff.significance.onlyA,
            onlyB: diff.significance.onlyB,
            p: diff.significance.pValue === null ? '—' : diff.significance.pValue.toPrecision(2),
            delta: signed(diff.significance.macroF1Delta.value),
            low: signed(diff.significance.macroF1Delta.low),
            high: signed(diff.significance.macroF1Delta.high),
          })}
        </Alert>
      )}
      {diff && (
        <SimpleGrid cols={{ base: 1, md: 2 }} data-testid="compare-result">
          <Table withTableBorder>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('setting')}</Table.Th>
                <Table.Th>{t('runA')}</Table.Th>
                <Table.Th>{t('runB')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {diff.settings.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={3}>{t('noSettingChanges')}</Table.Td>
                </Table.Tr>
              )}
              {diff.settings.map((s) => (
                <Table.Tr key={s.key} style={{ verticalAlign: 'top' }}>
                  <Table.Td data-testid="compare-setting">{settingLabel(s.key)}</Table.Td>
                  <Table.Td>{s.a}</Table.Td>
                  <Table.Td>{s.b}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Table withTableBorder>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('metric')}</Table.Th>
                <Table.Th>{t('runA')}</Table.Th>
                <Table.Th>{t('runB')}</Table.Th>
                <Table.Th>{t('change')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {diff.metrics.map((m) => (
                <Table.Tr key={m.name}>
                  <Table.Td data-testid="compare-metric">
                    <MetricName metric={EXPLAINED[m.name] ?? 'f1'}>{metricLabel(m.name)}</MetricName>
                  </Table.Td>
                  <Table.Td>{fmt(m.a)}</Table.Td>
                  <Table.Td>{fmt(m.b)}</Table.Td>
                  <Table.Td
                    c={
                      m.delta === null || m.delta === 0
                        ? undefined
                        : m.delta > 0 !== m.lowerIsBetter
                          ? 'teal'
                          : 'red'
                    }
                    data-testid="compare-change"
                    data-better={
                      m.delta === null || m.delta === 0 ? undefined : m.delta > 0 !== m.lowerIsBetter
                    }
                  >
                    {m.delta === null ? '—' : `${m.delta > 0 ? '+' : ''}${fmt(m.delta)}`}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </SimpleGrid>
      )}
    </Stack>
  );
}
