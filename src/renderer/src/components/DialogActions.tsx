import { Button, Group } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

/** The row under a dialog or an inline form: Cancel, then the confirming button(s) it is given. */
export function DialogActions({
  onCancel,
  mt,
  children,
}: {
  readonly onCancel: () => void;
  readonly mt?: string;
  readonly children: ReactNode;
}): React.JSX.Element {
  const { t } = useTranslation();
  return (
    <Group justify="flex-end" mt={mt}>
      <Button variant="default" onClick={onCancel}>
        {t('cancel')}
      </Button>
      {children}
    </Group>
  );
}
