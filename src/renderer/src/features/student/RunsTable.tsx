import { ActionIcon, Table, Text, Tooltip } from '@mantine/core';
import { IconTrash } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import type { Job } from '../../../../shared/jobs';
import type { StudentRun } from '../../../../shared/student';
import { formatBytes } from '../../../../shared/disk';
import { shownState } from './runState';

/** Every run of the project; a click selects one; the bin asks to delete it. */
export function RunsTable({
  runs,
  selected,
  job,
  onSelect,
  onDelete,
}: {
  runs: readonly StudentRun[];
  selected: number | null;
  job: Job | null;
  onSelect: (id: number) => void;
  onDelete: (id: number) => void;
}): React.JSX.Element {
  const { t } = useTranslation('student');
  return (
    <Table highlightOnHover data-testid="train-runs">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t('col.run')}</Table.Th>
          <Table.Th>{t('col.state')}</Table.Th>
          <Table.Th>{t('col.data')}</Table.Th>
          <Table.Th>{t('col.settings')}</Table.Th>
          <Table.Th>{t('col.best')}</Table.Th>
          <Table.Th>{t('col.size')}</Table.Th>
          <Table.Th />
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {runs.map((r) => (
          <Table.Tr
            key={r.id}
            onClick={() => onSelect(r.id)}
            style={{ cursor: 'pointer' }}
            bg={r.id === selected ? 'var(--mantine-color-indigo-light)' : undefined}
            data-testid="train-run-row"
            data-run-id={r.id}
          >
            <Table.Td>
              #{r.id}{' '}
              <Text span size="xs" c="dimmed" title={r.backend ?? undefined}>
                {t(`archShort.${r.architecture}`)}
              </Text>
            </Table.Td>
            <Table.Td>{t(`state.${shownState(r.state, job?.id === r.jobId ? job : null)}`)}</Table.Td>
            <Table.Td>
              {r.teacherRunId === null ? t('humanOnly') : t('withTeacher', { id: r.teacherRunId })} ·{' '}
              {r.data.trainCount}/{r.data.validationCount}
            </Table.Td>
            <Table.Td>
              T={r.settings.temperature} α={r.settings.alpha} lr={r.settings.learningRate}
              {r.settings.initFromRunId !== undefined &&
                ` · ${t('fromRun', { id: r.settings.initFromRunId })}`}
            </Table.Td>
            <Table.Td>
              {r.bestEpoch === null
                ? '–'
                : `${r.bestMetric?.toFixed(3)} (${t('epochShort', { epoch: r.bestEpoch })})`}
            </Table.Td>
            <Table.Td>{formatBytes(r.modelBytes)}</Table.Td>
            <Table.Td>
              <Tooltip label={t('runDelete.button', { id: r.id })}>
                <ActionIcon
                  variant="subtle"
                  color="red"
                  aria-label={t('runDelete.button', { id: r.id })}
                  data-testid="train-run-delete"
                  onClick={(e) => {
                    e.stopPropagation();
                    onDelete(r.id);
                  }}
                >
                  <IconTrash size={16} />
                </ActionIcon>
              </Tooltip>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
