import { Alert, Badge, Group, List, Spoiler, Stack, Table, Text, Title } from '@mantine/core';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import type { MetricInterval } from '../../../../shared/evaluation';
import type { TeacherCheck, TeacherVerdict } from '../../../../shared/teacher';
import { useQuery } from '../../api';
import { MetricName } from '../guide/MetricName';

const VERDICT_COLOR: Readonly<Record<TeacherVerdict, string>> = {
  useful: 'teal',
  weak: 'yellow',
  chance: 'red',
  'too-few': 'gray',
};

const pct = (v: number | null): string => (v === null ? '–' : `${(100 * v).toFixed(1)}%`);
export const num = (v: number | null): string => (v === null ? '–' : v.toFixed(2));

/** The teacher's check per label (single- or multi-label): gold support, predicted, precision, recall, F1. */
export function PerLabelCheckBody({
  rows,
  rowTestId,
}: {
  rows: readonly {
    label: string;
    support: number;
    predicted: number;
    precision: number | null;
    recall: number | null;
    f1: number | null;
  }[];
  rowTestId?: string;
}): React.JSX.Element {
  return (
    <Table.Tbody>
      {rows.map((l) => (
        <Table.Tr key={l.label} data-testid={rowTestId}>
          <Table.Td>{l.label}</Table.Td>
          <Table.Td>{l.support}</Table.Td>
          <Table.Td>{l.predicted}</Table.Td>
          <Table.Td>{num(l.precision)}</Table.Td>
          <Table.Td>{num(l.recall)}</Table.Td>
          <Table.Td>{num(l.f1)}</Table.Td>
        </Table.Tr>
      ))}
    </Table.Tbody>
  );
}

/** A figure in bold and its interval after it, dimmed (inline). */
export function IntervalText({
  m,
  f,
}: {
  m: MetricInterval;
  f: (v: number | null) => string;
}): React.JSX.Element {
  return (
    <>
      <b>{f(m.value)}</b>
      {m.low !== null && m.high !== null && (
        <Text span size="xs" c="dimmed">
          {' '}
          ({f(m.low)}–{f(m.high)})
        </Text>
      )}
    </>
  );
}

function WithInterval(props: { m: MetricInterval; f: (v: number | null) => string }): React.JSX.Element {
  return (
    <Text size="sm">
      <IntervalText {...props} />
    </Text>
  );
}

/** What a check card is given: the run, and a number that changes when the check should be read again. */
export interface CheckCardProps {
  readonly runId: number;
  readonly version?: number;
}

/** Reloads a query whenever `version` changes (after the run it reads has changed). */
export function useReloadOn(reload: () => void, version: number): void {
  useEffect(() => reload(), [version, reload]);
}

/** A check card's frame: its title and the error of the query that reads the check, then the check itself. */
export function CheckFrame(props: {
  testId: string;
  title: string;
  error: { readonly message: string } | null;
  children: React.ReactNode;
}): React.JSX.Element {
  return (
    <Stack gap="xs" data-testid={props.testId}>
      <Title order={5}>{props.title}</Title>
      {props.error && <Alert color="red">{props.error.message}</Alert>}
      {props.children}
    </Stack>
  );
}

/** A teacher check's verdict as a badge, and `why`: what it means for training, in words. */
export function VerdictLine({ verdict, why }: { verdict: TeacherVerdict; why: string }): React.JSX.Element {
  const { t } = useTranslation('teacher');
  return (
    <Group gap="xs" wrap="nowrap" align="flex-start">
      <Badge color={VERDICT_COLOR[verdict]} data-testid="teacher-check-verdict" data-verdict={verdict}>
        {t(`check.verdict.${verdict}`)}
      </Badge>
      <Text size="sm" data-testid="teacher-check-why">
        {why}
      </Text>
    </Group>
  );
}

/** The verdict in words, with what it means for training. */
export function VerdictText({ check }: { check: TeacherCheck }): React.JSX.Element {
  const { t } = useTranslation('teacher');
  return (
    <VerdictLine
      verdict={check.verdict}
      why={t(`check.why.${check.verdict}`, {
        n: check.examples,
        min: check.minimum,
        majority: check.baselines.majority.label ?? '–',
        kappa: num(check.kappa.value),
      })}
    />
  );
}

/**
 * The teacher check of one run: accuracy, macro-F1 and kappa against people on the validation split, with intervals,
 * beside what always answering the commonest label and guessing at random would score; the verdict; per label,
 * labels the teacher never gives and its commonest mistakes. Shown in the Teacher and Train steps.
 */
export function TeacherCheckCard({ runId, version = 0 }: CheckCardProps): React.JSX.Element {
  const { t } = useTranslation('teacher');
  const q = useQuery('teacher.check', { runId });
  useReloadOn(q.reload, version);
  const c = q.data;
  return (
    <CheckFrame testId="teacher-check" title={t('check.title')} error={q.error}>
      {c && (
        <>
          <VerdictText check={c} />
          {c.verdict !== 'too-few' && (
            <Table withTableBorder data-testid="teacher-check-table" fz="sm">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th />
                  <Table.Th>{t('check.teacher', { n: c.examples })}</Table.Th>
                  <Table.Th>{t('check.majority', { label: c.baselines.majority.label ?? '–' })}</Table.Th>
                  <Table.Th>{t('check.uniform')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                <Table.Tr data-testid="teacher-check-accuracy">
                  <Table.Td>
                    <MetricName metric="accuracy" />
                  </Table.Td>
                  <Table.Td>
                    <WithInterval m={c.accuracy} f={pct} />
                  </Table.Td>
                  <Table.Td>{pct(c.baselines.majority.accuracy)}</Table.Td>
                  <Table.Td>{pct(c.baselines.uniform.accuracy)}</Table.Td>
                </Table.Tr>
                <Table.Tr data-testid="teacher-check-macro-f1">
                  <Table.Td>
                    <MetricName metric="macroF1" />
                  </Table.Td>
                  <Table.Td>
                    <WithInterval m={c.macroF1} f={num} />
                  </Table.Td>
                  <Table.Td>{num(c.baselines.majority.macroF1)}</Table.Td>
                  <Table.Td>{num(c.baselines.uniform.macroF1)}</Table.Td>
                </Table.Tr>
                <Table.Tr data-testid="teacher-check-kappa">
                  <Table.Td>
                    <MetricName metric="kappa" />
                  </Table.Td>
                  <Table.Td>
                    <WithInterval m={c.kappa} f={num} />
                  </Table.Td>
                  <Table.Td>0.00</Table.Td>
                  <Table.Td>0.00</Table.Td>
                </Table.Tr>
              </Table.Tbody>
            </Table>
          )}
          {c.verdict !== 'too-few' && (
            <Text size="xs" c="dimmed">
              {t('check.intervalNote')} <MetricName metric="interval" size="xs" />
            </Text>
          )}
          {c.neverPredicted.length > 0 && (
            <Alert color="yellow" p="xs" data-testid="teacher-check-never">
              {t('check.never', { labels: c.neverPredicted.join(', '), count: c.neverPredicted.length })}
            </Alert>
          )}
          {c.confusions.length > 0 && (
            <div data-testid="teacher-check-confusions">
              <Text size="sm" fw={500}>
                {t('check.confusions')}
              </Text>
              <List size="sm">
                {c.confusions.map((x) => (
                  <List.Item key={`${x.gold}\u0000${x.predicted}`}>
                    {t('check.confusion', { gold: x.gold, predicted: x.predicted, count: x.count })}
                  </List.Item>
                ))}
              </List>
            </div>
          )}
          {c.verdict !== 'too-few' && (
            <Spoiler maxHeight={0} showLabel={t('check.perLabel')} hideLabel="×">
              <Table fz="sm" data-testid="teacher-check-labels">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('check.label')}</Table.Th>
                    <Table.Th>
                      <MetricName metric="support" />
                    </Table.Th>
                    <Table.Th>{t('check.predicted')}</Table.Th>
                    <Table.Th>
                      <MetricName metric="precision" />
                    </Table.Th>
                    <Table.Th>
                      <MetricName metric="recall" />
                    </Table.Th>
                    <Table.Th>
                      <MetricName metric="f1" />
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <PerLabelCheckBody rows={c.perLabel} />
              </Table>
            </Spoiler>
          )}
        </>
      )}
    </CheckFrame>
  );
}
