import { useTranslation } from 'react-i18next';
import type { DeletedRun } from '../../../../shared/disk';
import { call } from '../../api';
import { DeleteRunDialog, useRunDeletion } from '../../components/DeleteRunDialog';
import { formatBytes } from './runState';

/**
 * Deleting a training run from the Train step: the confirmation says how much it frees and what goes with it
 * (evaluation, threshold) or stays (exported folders), or why it cannot go now; confirming deletes it.
 */
export function DeleteStudentRun({
  projectId,
  runId,
  onClose,
  onDeleted,
}: {
  projectId: number;
  /** The run to delete (the dialog is open), or null. */
  runId: number | null;
  onClose: () => void;
  onDeleted: (runId: number, result: DeletedRun) => void;
}): React.JSX.Element {
  const { t } = useTranslation('student');
  // The dialog has shown what depends on the run: confirming is the person's go-ahead (force).
  const { use, error, pending, confirm } = useRunDeletion(
    runId,
    (id) => call('disk.runUse', { projectId, runId: id }),
    (id) => call('disk.deleteRun', { projectId, runId: id, force: true }),
    onDeleted,
  );
  const lines = use
    ? [
        t('runDelete.goes'),
        use.evaluated ? t('runDelete.evaluated') : null,
        use.hasThreshold ? t('runDelete.threshold') : null,
        use.exports > 0 ? t('runDelete.exported', { count: use.exports }) : null,
      ].filter((l): l is string => l !== null)
    : [t('runDelete.loading')];
  return (
    <DeleteRunDialog
      opened={runId !== null}
      title={runId === null ? '' : t('runDelete.title', { id: runId })}
      size={use ? t('runDelete.size', { size: formatBytes(use.bytes) }) : null}
      lines={lines}
      blocked={use?.active ? t('runDelete.active') : null}
      error={error}
      pending={pending}
      confirmLabel={t('runDelete.confirm')}
      cancelLabel={t('runDelete.cancel')}
      onConfirm={confirm}
      onClose={onClose}
    />
  );
}
