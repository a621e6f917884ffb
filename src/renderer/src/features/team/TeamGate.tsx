import { Alert, Button, Center, Loader, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppErrorInfo } from '../../../../shared/result';
import { localiseError } from '../../api/localise';
import { MIN_PASSWORD_LENGTH } from '../../../../shared/team';
import { api } from '../../api';
import { hasToken, onSessionEnded, setCsrf } from '../../api/browser';
import { CredentialFields } from './CredentialFields';
import { TeamContext, type TeamState, type TeamUserInfo } from './context';

interface SessionInfo {
  readonly team: boolean;
  readonly user: TeamUserInfo | null;
  readonly csrf: string | null;
  readonly needsSetup: boolean;
}

interface Answer<T> {
  readonly ok: boolean;
  readonly value?: T;
  readonly error?: AppErrorInfo;
}

async function post<T>(path: string, body: unknown, csrf = ''): Promise<Answer<T>> {
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(csrf ? { 'x-csrf-token': csrf } : {}) },
    body: JSON.stringify(body),
  });
  return (await res.json()) as Answer<T>;
}

/**
 * Team mode's front door: the login page (or, before any account exists, the page that creates the administrator
 * with the setup code), then the app with the logged-in person in context. The desktop app and the single-user
 * browser mode (opened with the token) go straight to the app, as before.
 */
export function TeamGate({ children }: { children: React.ReactNode }): React.JSX.Element {
  const single = api.mode === 'electron' || hasToken();
  const [info, setInfo] = useState<SessionInfo | null>(null);
  const [ended, setEnded] = useState(false);
  const { i18n } = useTranslation();

  useEffect(() => {
    if (single) return;
    if (navigator.language.toLowerCase().startsWith('zh')) void i18n.changeLanguage('zh-CN');
    void fetch('/api/session').then(async (res) => {
      const body = (await res.json()) as Answer<SessionInfo>;
      const value = body.value ?? { team: false, user: null, csrf: null, needsSetup: false };
      if (value.csrf) setCsrf(value.csrf);
      setInfo(value);
    });
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
    void post('/api/logout', {}, info?.csrf ?? '').finally(() => {
      setCsrf('');
      setInfo((i) => (i ? { ...i, user: null, csrf: null } : i));
    });
  }, [info?.csrf]);

  const state = useMemo<TeamState | null>(
    () => (info?.user ? { user: info.user, logout } : null),
    [info?.user, logout],
  );

  if (single) return <>{children}</>;
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
        ? await post<{ user: TeamUserInfo; csrf: string }>('/api/setup', { code, username, password })
        : await post<{ user: TeamUserInfo; csrf: string }>('/api/login', { username, password });
      if (r.ok && r.value) onLoggedIn(r.value.user, r.value.csrf);
      // The login answer does not go through the API wrapper: its error is put in the UI's language here.
      else setError(r.error ? localiseError(r.error).message : t('loginFailed'));
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
