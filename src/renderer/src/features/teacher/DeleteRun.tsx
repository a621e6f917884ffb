import { useTranslation } from 'react-i18next';
import { call } from '../../api';
import { RunDeletion, type DeleteRunProps } from '../../components/DeleteRunDialog';

/**
 * Deleting a teacher run from the Teacher step: the confirmation says what goes (answers, calibration, evaluation),
 * what stays (students' models, labels people accepted) and which run Review and the next student use instead.
 */
export function DeleteTeacherRun({ projectId, ...props }: DeleteRunProps): React.JSX.Element {
  const { t } = useTranslation('teacher');
  return (
    <RunDeletion
      {...props}
      namespace="teacher"
      load={(id) => call('disk.teacherRunUse', { projectId, runId: id })}
      remove={(id) => call('disk.deleteTeacherRun', { projectId, runId: id, force: true })}
      consequences={(use) => [
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
      ]}
    />
  );
}
