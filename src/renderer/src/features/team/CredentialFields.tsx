import { PasswordInput, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';

/**
 * An account's user name and password, both required: the login and first-administrator page, and the
 * administrators' "new account" row. `newPassword` tells the browser's password manager to suggest one.
 */
export function CredentialFields({
  username,
  password,
  onUsername,
  onPassword,
  newPassword,
  passwordHint,
  usernameAutoComplete,
  testIds,
}: {
  readonly username: string;
  readonly password: string;
  readonly onUsername: (value: string) => void;
  readonly onPassword: (value: string) => void;
  readonly newPassword: boolean;
  readonly passwordHint?: string;
  readonly usernameAutoComplete?: 'username';
  readonly testIds: { readonly username: string; readonly password: string };
}): React.JSX.Element {
  const { t } = useTranslation('team');
  return (
    <>
      <TextInput
        label={t('username')}
        autoComplete={usernameAutoComplete}
        value={username}
        onChange={(e) => onUsername(e.currentTarget.value)}
        data-testid={testIds.username}
        required
      />
      <PasswordInput
        label={t('password')}
        autoComplete={newPassword ? 'new-password' : 'current-password'}
        description={passwordHint}
        value={password}
        onChange={(e) => onPassword(e.currentTarget.value)}
        data-testid={testIds.password}
        required
      />
    </>
  );
}
