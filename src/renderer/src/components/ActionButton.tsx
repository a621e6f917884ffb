import { Button, type ButtonProps } from '@mantine/core';
import type { ReactNode } from 'react';
import type { Action } from '../api';

/** The button of an action that starts work (`useAction`): loading while it runs, so a second click does nothing. */
export function ActionButton({
  action,
  testId,
  children,
  ...rest
}: Omit<ButtonProps, 'loading'> & {
  action: Action<[]>;
  testId: string;
  children: ReactNode;
}): React.JSX.Element {
  return (
    <Button {...rest} loading={action.pending} onClick={() => action.run()} data-testid={testId}>
      {children}
    </Button>
  );
}
