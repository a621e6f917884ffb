import { useTranslation } from 'react-i18next';
import type { DeletedRun } from '../../../../shared/disk';
import { call } from '../../api';
import { DeleteRunDialog, useRunDeletion } from '../../components/DeleteRunDialog';
import { formatBytes } from '../export/DiskPanel';

/**
 * Deleting a teacher run from the Teacher step: the confirmation says what goes (answers, calibration, evaluation),
 * what stays (students' models, labels people accepted) and which run Review and the next student use instead.
 */
export function DeleteTeacherRun({
  projectId,
  runId,
  onClose,
  onDeleted,
}: {
  projectId: number;
  runId: number | null;
  onClose: () => void;
  onDeleted: (runId: number, result: DeletedRun) => void;
}): React.JSX.Element {
  const { t } = useTranslation('teacher');
  const { use, error, pending, confirm } = useRunDeletion(
    runId,
    (id) => call('disk.teacherRunUse', { projectId, runId: id }),
    (id) => call('disk.deleteTeacherRun', { projectId, runId: id, force: true }),
    onDeleted,
  );
  const lines = use
    ? [
        t('runDelete.goes', { count: use.outputs }),
        use.evaluated ? t('runDelete.evaluated') : null,
        use.studentRuns.length
          ? t('runDelete.students', { runs: use.studentRuns.map((id) => `#${id}`).join(', ') })
          : null,
        t('runDelete.accepted'),
        use.latest
          ? use.previousRunId === null
            ? t('runDelete.none')
            : t('runDelete.previous', { id: use.previousRunId })
          : null,
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
