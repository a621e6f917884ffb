import { Alert } from '@mantine/core';
import { IconTools } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';

/** Said honestly where a step is not built yet. */
export function NotBuilt(): React.JSX.Element {
  const { t } = useTranslation();
  return (
    <Alert icon={<IconTools />} title={t('notBuilt')} color="gray" data-testid="not-built">
      {t('notBuiltBody')}
    </Alert>
  );
}
