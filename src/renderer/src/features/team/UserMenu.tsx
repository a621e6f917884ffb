import { Alert, Badge, Button, Group, Menu, Modal, PasswordInput, Select, Stack, Table } from '@mantine/core';
import { IconChevronDown, IconLogout, IconUser } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ROLES, type Role } from '../../../../shared/team';
import { call, errorText, useAction, useQuery } from '../../api';
import { CredentialFields } from './CredentialFields';
import { useTeam } from './context';
import { DialogActions } from '../../components/DialogActions';

/** The header's account menu in team mode: who is logged in, password change, accounts (administrators), log out. */
export function UserMenu(): React.JSX.Element | null {
  const team = useTeam();
  const { t } = useTranslation('team');
  const [open, setOpen] = useState<'password' | 'users' | null>(null);
  if (!team) return null;
  return (
    <>
      <Menu position="bottom-end">
        <Menu.Target>
          <Button
            variant="subtle"
            size="xs"
            leftSection={<IconUser size={16} />}
            rightSection={<IconChevronDown size={14} />}
            data-testid="user-menu"
          >
            {team.user.username}
            <Badge ml="xs" size="xs" variant="light" data-testid="user-role">
              {t(`role.${team.user.role}`)}
            </Badge>
          </Button>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Item onClick={() => setOpen('password')} data-testid="menu-change-password">
            {t('changePassword')}
          </Menu.Item>
          {team.user.role === 'admin' && (
            <Menu.Item onClick={() => setOpen('users')} data-testid="menu-users">
              {t('users')}
            </Menu.Item>
          )}
          <Menu.Item leftSection={<IconLogout size={14} />} onClick={team.logout} data-testid="menu-logout">
            {t('logout')}
          </Menu.Item>
        </Menu.Dropdown>
      </Menu>
      <Modal opened={open === 'password'} onClose={() => setOpen(null)} title={t('changePassword')}>
        <PasswordForm onDone={() => setOpen(null)} />
      </Modal>
      <Modal opened={open === 'users'} onClose={() => setOpen(null)} title={t('users')} size="xl">
        {open === 'users' && <UsersPanel />}
      </Modal>
    </>
  );
}

function PasswordForm({ onDone }: { onDone: () => void }): React.JSX.Element {
  const { t } = useTranslation('team');
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const save = useAction(async () => {
    try {
      await call('team.changePassword', { currentPassword: current, newPassword: next });
      setMessage({ ok: true, text: t('passwordChanged') });
      setCurrent('');
      setNext('');
    } catch (e) {
      setMessage({ ok: false, text: errorText(e) });
    }
  });
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        save.run();
      }}
    >
      <Stack>
        <PasswordInput
          label={t('currentPassword')}
          autoComplete="current-password"
          value={current}
          onChange={(e) => setCurrent(e.currentTarget.value)}
          required
        />
        <PasswordInput
          label={t('newPassword')}
          autoComplete="new-password"
          value={next}
          onChange={(e) => setNext(e.currentTarget.value)}
          required
        />
        {message && <Alert color={message.ok ? 'green' : 'red'}>{message.text}</Alert>}
        <DialogActions onCancel={onDone}>
          <Button type="submit" loading={save.pending}>
            {t('save')}
          </Button>
        </DialogActions>
      </Stack>
    </form>
  );
}

/** Administrators: every account, its role, enable/disable, and new accounts. */
function UsersPanel(): React.JSX.Element {
  const { t } = useTranslation('team');
  const users = useQuery('team.users', {});
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('annotator');
  const [error, setError] = useState<string | null>(null);
  const roles = ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }));
  const act = async (fn: () => Promise<unknown>): Promise<void> => {
    try {
      setError(null);
      await fn();
      users.reload();
    } catch (e) {
      setError(errorText(e));
    }
  };
  const add = useAction(() =>
    act(async () => {
      await call('team.addUser', { username, password, role });
      setUsername('');
      setPassword('');
    }),
  );
  return (
    <Stack data-testid="users-panel">
      {error && <Alert color="red">{error}</Alert>}
      <Table striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('username')}</Table.Th>
            <Table.Th>{t('roleLabel')}</Table.Th>
            <Table.Th>{t('lastLogin')}</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(users.data ?? []).map((u) => (
            <Table.Tr key={u.username} data-testid={`user-row-${u.username}`}>
              <Table.Td>
                {u.username} {u.disabled && <Badge color="gray">{t('disabled')}</Badge>}
              </Table.Td>
              <Table.Td>
                <Select
                  size="xs"
                  w={150}
                  allowDeselect={false}
                  data={roles}
                  value={u.role}
                  aria-label={t('roleLabel')}
                  onChange={(v) =>
                    v && void act(() => call('team.updateUser', { username: u.username, role: v as Role }))
                  }
                />
              </Table.Td>
              <Table.Td>{u.lastLoginAt ? new Date(u.lastLoginAt).toLocaleString() : t('never')}</Table.Td>
              <Table.Td>
                <Button
                  size="xs"
                  variant="light"
                  color={u.disabled ? 'green' : 'red'}
                  data-testid={`user-toggle-${u.username}`}
                  onClick={() =>
                    void act(() => call('team.updateUser', { username: u.username, disabled: !u.disabled }))
                  }
                >
                  {u.disabled ? t('enable') : t('disable')}
                </Button>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          add.run();
        }}
      >
        <Group align="flex-end">
          <CredentialFields
            username={username}
            password={password}
            onUsername={setUsername}
            onPassword={setPassword}
            newPassword
            testIds={{ username: 'new-user-name', password: 'new-user-password' }}
          />
          <Select
            label={t('roleLabel')}
            w={150}
            allowDeselect={false}
            data={roles}
            value={role}
            onChange={(v) => v && setRole(v as Role)}
            data-testid="new-user-role"
          />
          <Button type="submit" loading={add.pending} data-testid="new-user-add">
            {t('addUser')}
          </Button>
        </Group>
      </form>
    </Stack>
  );
}
