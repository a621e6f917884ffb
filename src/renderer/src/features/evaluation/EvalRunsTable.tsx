import { Badge, Button, Group, Table, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { runNameText } from '../../../../shared/runText';

/** One run of the Evaluate step's table, whatever the project's kind. */
export interface EvalRunRow {
  /** `teacher-3` / `student-5`: the row's `data-model` and the key `onSelect` / `onEvaluate` receive. */
  readonly key: string;
  readonly kind: 'teacher' | 'student';
  readonly name: string;
  /** Evaluated before the thresholds changed: flagged, and its button asks to evaluate again. */
  readonly stale?: boolean;
  /** The metric cells in the order of `columns`; null when the run is not evaluated yet. */
  readonly cells: readonly ReactNode[] | null;
}

/**
 * The runs of the Evaluate step (single- or multi-label): one row a run, its headline metrics or "not evaluated",
 * and the buttons that evaluate it (loading while `busy`) and show it (filled while `selected`).
 */
export function EvalRunsTable({
  columns,
  rows,
  selected,
  busy,
  onSelect,
  onEvaluate,
}: {
  /** The metric columns' headers, after the model's name. */
  columns: readonly string[];
  rows: readonly EvalRunRow[];
  selected: string | null;
  busy: string | null;
  onSelect: (key: string) => void;
  onEvaluate: (key: string) => void;
}): React.JSX.Element {
  const { t, i18n } = useTranslation('evaluation');
  return (
    <Table withTableBorder highlightOnHover data-testid="eval-runs">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t('model')}</Table.Th>
          {columns.map((c) => (
            <Table.Th key={c}>{c}</Table.Th>
          ))}
          <Table.Th />
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((r) => {
          const evaluated = r.cells !== null;
          const isSelected = selected === r.key;
          return (
            <Table.Tr
              key={r.key}
              data-testid="eval-run-row"
              data-model={r.key}
              bg={isSelected ? 'var(--mantine-color-indigo-light)' : undefined}
            >
              <Table.Td>
                <Group gap="xs">
                  <Badge variant="light" color={r.kind === 'teacher' ? 'grape' : 'indigo'}>
                    {r.kind === 'teacher' ? t('teacher') : t('student')}
                  </Badge>
                  <Text size="sm">{runNameText(r.name, i18n.language)}</Text>
                  {r.stale && (
                    <Badge variant="light" color="orange" data-testid="eval-stale">
                      {t('multi.staleBadge')}
                    </Badge>
                  )}
                </Group>
              </Table.Td>
              {r.cells !== null ? (
                r.cells.map((cell, k) => <Table.Td key={k}>{cell}</Table.Td>)
              ) : (
                <Table.Td colSpan={columns.length}>
                  <Text size="sm" c="dimmed">
                    {t('notEvaluated')}
                  </Text>
                </Table.Td>
              )}
              <Table.Td>
                <Group gap="xs" wrap="nowrap">
                  <Button
                    size="xs"
                    variant={evaluated && !r.stale ? 'default' : 'filled'}
                    loading={busy === r.key}
                    onClick={() => onEvaluate(r.key)}
                    data-testid="eval-evaluate"
                  >
                    {evaluated ? t('reevaluate') : t('evaluate')}
                  </Button>
                  {evaluated && (
                    <Button
                      size="xs"
                      variant={isSelected ? 'filled' : 'light'}
                      onClick={() => onSelect(r.key)}
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
