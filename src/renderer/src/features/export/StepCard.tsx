import { Alert, Card, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

/** A card of the Export step: its title, the sentence that says what it does, and its controls. */
export function StepCard({
  testId,
  title,
  hint,
  children,
}: {
  testId: string;
  title: ReactNode;
  hint: ReactNode;
  children: ReactNode;
}): React.JSX.Element {
  return (
    <Card withBorder data-testid={testId}>
      <Stack>
        <Title order={4}>{title}</Title>
        <Text size="sm" c="dimmed">
          {hint}
        </Text>
        {children}
      </Stack>
    </Card>
  );
}

/** What went wrong with a card's request, in words (nothing when `error` is null). */
export function ErrorAlert({ error }: { error: string | null }): React.JSX.Element | null {
  const { t } = useTranslation('export');
  if (error === null) return null;
  return (
    <Alert color="red" title={t('error')}>
      {error}
    </Alert>
  );
}
