import { Alert, Button, Center, Loader, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import { readAnswer } from '../../../../shared/answers';
import type { Result } from '../../../../shared/result';
import { localiseError } from '../../api/localise';
import {
  LoggedIn,
  LoggedOut,
  MIN_PASSWORD_LENGTH,
  TeamSession,
  type TeamUserInfo,
} from '../../../../shared/team';
import { api } from '../../api';
import { hasToken, onSessionEnded, setCsrf } from '../../api/browser';
import { CredentialFields } from './CredentialFields';
import { TeamContext, type TeamState } from './context';

/** A server that refuses the session route is not in team mode: the page is the app itself. */
const NOT_TEAM: TeamSession = { team: false, user: null, csrf: null, needsSetup: false };

/** A team-mode route's answer, read with its schema (src/shared/team.ts) like every answer of the contract. */
async function send<T>(
  path: string,
  schema: z.ZodType<T>,
  init?: { body: unknown; csrf?: string },
): Promise<Result<T>> {
  const res = await fetch(
    path,
    init
      ? {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(init.csrf ? { 'x-csrf-token': init.csrf } : {}),
          },
          body: JSON.stringify(init.body),
        }
      : undefined,
  );
  return readAnswer(await res.json(), path, schema);
}

/**
 * Team mode's front door: the login page (or, before any account exists, the page that creates the administrator
 * with the setup code), then the app with the logged-in person in context. The desktop app and the single-user
 * browser mode (opened with the token) go straight to the app, as before.
 */
export function TeamGate({ children }: { children: React.ReactNode }): React.JSX.Element {
  const single = api.mode === 'electron' || hasToken();
  const [info, setInfo] = useState<TeamSession | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [ended, setEnded] = useState(false);
  const { i18n } = useTranslation();

  useEffect(() => {
    if (single) return;
    if (navigator.language.toLowerCase().startsWith('zh')) void i18n.changeLanguage('zh-CN');
    send('/api/session', TeamSession).then(
      (r) => {
        // A server not in team mode refuses the route (no session without the token): the app itself then.
        if (!r.ok && r.error.key === 'badAnswer') return setFailure(localiseError(r.error).message);
        const value = r.ok ? r.value : NOT_TEAM;
        if (value.csrf) setCsrf(value.csrf);
        setInfo(value);
      },
      (e: unknown) => setFailure(e instanceof Error ? e.message : String(e)),
    );
  }, [single, i18n]);

  useEffect(
    () =>
      onSessionEnded(() => {
        setCsrf('');
        setEnded(true);
        setInfo((i) => (i ? { ...i, user: null, csrf: null } : i));
      }),
    [],
  );

  const logout = useCallback(() => {
    void send('/api/logout', LoggedOut, { body: {}, csrf: info?.csrf ?? '' }).finally(() => {
      setCsrf('');
      setInfo((i) => (i ? { ...i, user: null, csrf: null } : i));
    });
  }, [info?.csrf]);

  const state = useMemo<TeamState | null>(
    () => (info?.user ? { user: info.user, logout } : null),
    [info?.user, logout],
  );

  if (single) return <>{children}</>;
  if (failure !== null) {
    return (
      <Center mt={80}>
        <Alert color="red" w={420} data-testid="session-error">
          {failure}
        </Alert>
      </Center>
    );
  }
  if (!info) {
    return (
      <Center mt="xl">
        <Loader />
      </Center>
    );
  }
  if (!info.team) return <>{children}</>;
  if (!state) {
    return (
      <LoginPage
        needsSetup={info.needsSetup}
        ended={ended}
        onLoggedIn={(user, csrf) => {
          setCsrf(csrf);
          setEnded(false);
          setInfo({ team: true, user, csrf, needsSetup: false });
        }}
      />
    );
  }
  return <TeamContext.Provider value={state}>{children}</TeamContext.Provider>;
}

function LoginPage({
  needsSetup,
  ended,
  onLoggedIn,
}: {
  needsSetup: boolean;
  ended: boolean;
  onLoggedIn: (user: TeamUserInfo, csrf: string) => void;
}): React.JSX.Element {
  const { t } = useTranslation('team');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  const submit = async (): Promise<void> => {
    if (pending) return;
    setPending(true);
    setError(null);
    try {
      const r = needsSetup
        ? await send('/api/setup', LoggedIn, { body: { code, username, password } })
        : await send('/api/login', LoggedIn, { body: { username, password } });
      if (r.ok) onLoggedIn(r.value.user, r.value.csrf);
      // The login answer does not go through the API wrapper: its error is put in the UI's language here.
      else setError(localiseError(r.error).message);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setPending(false);
    }
  };

  return (
    <Center mt={80}>
      <Paper withBorder p="xl" w={420} data-testid="login-page">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <Stack>
            <Title order={3}>{needsSetup ? t('setupTitle') : t('loginTitle')}</Title>
            <Text size="sm" c="dimmed">
              {needsSetup ? t('setupIntro') : t('loginIntro')}
            </Text>
            {ended && <Alert color="yellow">{t('sessionEnded')}</Alert>}
            {needsSetup && (
              <TextInput
                label={t('setupCode')}
                value={code}
                onChange={(e) => setCode(e.currentTarget.value)}
                data-testid="setup-code"
                required
              />
            )}
            <CredentialFields
              username={username}
              password={password}
              onUsername={setUsername}
              onPassword={setPassword}
              newPassword={needsSetup}
              passwordHint={needsSetup ? t('passwordHint', { min: MIN_PASSWORD_LENGTH }) : undefined}
              usernameAutoComplete="username"
              testIds={{ username: 'login-username', password: 'login-password' }}
            />
            {error && (
              <Alert color="red" data-testid="login-error">
                {error}
              </Alert>
            )}
            <Button type="submit" loading={pending} data-testid="login-submit">
              {needsSetup ? t('createAdmin') : t('login')}
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
