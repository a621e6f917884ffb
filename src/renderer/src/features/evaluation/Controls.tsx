import { Card, NumberInput, type NumberInputProps, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';

/** A number between 0 and 1 (a threshold, a target, a recall), written with three decimals. */
export function UnitInput(props: Omit<NumberInputProps, 'min' | 'max' | 'decimalScale'>): React.JSX.Element {
  return <NumberInput min={0} max={1} decimalScale={3} {...props} />;
}

/** A bordered card of settings under its title: the target, the tuning of a label's threshold. */
export function SettingsCard({
  title,
  testId,
  children,
}: {
  title: ReactNode;
  testId?: string;
  children: ReactNode;
}): React.JSX.Element {
  return (
    <Card withBorder p="sm" data-testid={testId}>
      <Stack gap="xs">
        <Text size="sm" fw={500}>
          {title}
        </Text>
        {children}
      </Stack>
    </Card>
  );
}
