import { Alert, Button, Group, Modal, Progress, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { recodedName, type ImportResult } from '../../../../shared/dataset';
import type { Job } from '../../../../shared/jobs';
import { BadRowsTable } from './ImportOptions';

/** What to do with rows whose id the project already has: skip them, update them, or add them as new. */
export type OnExisting = 'skip' | 'update' | 'add';

/**
 * What became of an import: the question about rows already in the project (`ask`, the core's message), the job's
 * progress or failure, and what was imported (new labels, matched ids, splits, recoded lines, bad rows).
 */
export function ImportOutcome({
  ask,
  onAnswer,
  onCloseAsk,
  job,
  running,
  result,
}: {
  ask: string | null;
  onAnswer: (onExisting: OnExisting) => void;
  onCloseAsk: () => void;
  job: Job | null;
  running: boolean;
  result: ImportResult | null;
}): React.JSX.Element {
  const { t } = useTranslation('dataset');
  const pct = job && job.progress.total > 0 ? (100 * job.progress.done) / job.progress.total : 0;
  return (
    <>
      <Modal
        opened={ask !== null}
        onClose={onCloseAsk}
        title={t('import.existingTitle')}
        data-testid="import-existing"
      >
        <Stack>
          <Text size="sm">{ask}</Text>
          <Group>
            <Button onClick={() => onAnswer('skip')} data-testid="existing-skip">
              {t('import.existingSkip')}
            </Button>
            <Button variant="light" onClick={() => onAnswer('update')} data-testid="existing-update">
              {t('import.existingUpdate')}
            </Button>
            <Button variant="subtle" onClick={() => onAnswer('add')} data-testid="existing-add">
              {t('import.existingAdd')}
            </Button>
          </Group>
        </Stack>
      </Modal>
      {job && running && (
        <Stack gap={4} data-testid="import-progress">
          <Text size="sm">
            {t('import.running')} {job.progress.phase ?? ''}
          </Text>
          <Progress value={pct} animated />
        </Stack>
      )}
      {job && job.state === 'failed' && (
        <Alert color="red" title={t('import.failed')} data-testid="import-error">
          {job.error}
        </Alert>
      )}
      {result && (
        <Alert color="teal" data-testid="import-done">
          {t('import.done', {
            imported: result.imported.toLocaleString(),
            skipped: result.skipped ? t('import.skippedPart', { count: result.skipped }) : '',
          })}
          {result.labelsCreated.length > 0 && (
            <Text size="sm" mt={4}>
              {t('import.newLabels', { labels: result.labelsCreated.join(', ') })}
            </Text>
          )}
          {result.existing && (
            <Text size="sm" mt={4} data-testid="import-existing-result">
              {t(`import.existingDone.${result.existing.action}`, { count: result.existing.matched })}
            </Text>
          )}
          {result.splits && (
            <Text size="sm" mt={4}>
              {t('import.splitsDone', result.splits)}
            </Text>
          )}
          {result.recoded && (
            <Text size="sm" mt={4} data-testid="import-recoded">
              {t('import.recoded', {
                count: result.recoded.count,
                encoding: recodedName(result.recoded.encoding),
                lines:
                  result.recoded.lines.join(', ') +
                  (result.recoded.count > result.recoded.lines.length ? ', …' : ''),
              })}
            </Text>
          )}
          {result.badRows.length > 0 && <BadRowsTable rows={result.badRows} />}
        </Alert>
      )}
    </>
  );
}
