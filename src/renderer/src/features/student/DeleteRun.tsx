import { useTranslation } from 'react-i18next';
import { call } from '../../api';
import { RunDeletion, type DeleteRunProps } from '../../components/DeleteRunDialog';

/**
 * Deleting a training run from the Train step: the confirmation says how much it frees and what goes with it
 * (evaluation, threshold) or stays (exported folders), or why it cannot go now; confirming deletes it.
 */
export function DeleteStudentRun({ projectId, ...props }: DeleteRunProps): React.JSX.Element {
  const { t } = useTranslation('student');
  return (
    <RunDeletion
      {...props}
      namespace="student"
      load={(id) => call('disk.runUse', { projectId, runId: id })}
      remove={(id) => call('disk.deleteRun', { projectId, runId: id, force: true })}
      consequences={(use) => [
        t('runDelete.goes'),
        use.evaluated ? t('runDelete.evaluated') : null,
        use.hasThreshold ? t('runDelete.threshold') : null,
        use.exports > 0 ? t('runDelete.exported', { count: use.exports }) : null,
      ]}
    />
  );
}
