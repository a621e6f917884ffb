import { Paper, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';

/**
 * A chart under its title: the one shape of every titled chart in the wizard (training curves, evaluation curves,
 * the teacher's reliability, the data statistics). `framed` draws the bordered card the Data step uses.
 */
export function ChartCard({
  title,
  children,
  framed = false,
  w,
  testId,
}: {
  readonly title: ReactNode;
  readonly children: ReactNode;
  readonly framed?: boolean;
  readonly w?: number;
  readonly testId?: string;
}): React.JSX.Element {
  const body = (
    <Stack gap={4} w={w} data-testid={framed ? undefined : testId}>
      <Text size="sm" fw={600}>
        {title}
      </Text>
      {children}
    </Stack>
  );
  return framed ? (
    <Paper withBorder p="sm" data-testid={testId}>
      {body}
    </Paper>
  ) : (
    body
  );
}
