import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  Modal,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatBytes, type RunDiskUse } from '../../../../shared/disk';
import type { Project } from '../../../../shared/projects';
import { call, errorText, useEvent, useQuery } from '../../api';

function DeleteButton(props: {
  disabled: boolean;
  loading: boolean;
  onClick: () => void;
  testId: string;
}): React.JSX.Element {
  const { t } = useTranslation('export');
  return (
    <Button
      size="xs"
      variant="subtle"
      color="red"
      leftSection={<IconTrash size={14} />}
      disabled={props.disabled}
      loading={props.loading}
      onClick={props.onClick}
      data-testid={props.testId}
    >
      {t('diskDelete')}
    </Button>
  );
}

/** What the project takes on disk, with a way to delete old training runs and uploaded files. */
export function DiskPanel({ project }: { project: Project }): React.JSX.Element {
  const { t, i18n } = useTranslation('export');
  const usage = useQuery('disk.usage', { projectId: project.id });
  const [busy, setBusy] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<RunDiskUse | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEvent('job.updated', (job) => {
    if (job.projectId === project.id && ['completed', 'failed', 'cancelled'].includes(job.state))
      usage.reload();
  });

  const reasons = (r: RunDiskUse): string[] =>
    [
      r.evaluated ? t('diskRunEvaluated') : null,
      r.exports > 0 ? t('diskRunExported', { count: r.exports }) : null,
      r.hasThreshold ? t('diskRunThreshold') : null,
    ].filter((x): x is string => x !== null);

  const run = async (key: string, action: () => Promise<{ deletedBytes: number }>): Promise<void> => {
    if (busy) return;
    setBusy(key);
    setError(null);
    setMessage(null);
    try {
      const r = await action();
      setMessage(t('diskDeleted', { size: formatBytes(r.deletedBytes) }));
      usage.reload();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(null);
    }
  };
  const deleteRun = (r: RunDiskUse, force: boolean): void => {
    if (!force && reasons(r).length) return setConfirm(r);
    setConfirm(null);
    void run(`run-${r.runId}`, () =>
      call('disk.deleteRun', { projectId: project.id, runId: r.runId, force }),
    );
  };

  const u = usage.data;
  const date = (iso: string): string => new Date(iso).toLocaleString(i18n.language);
  return (
    <Card withBorder data-testid="disk-panel">
      <Stack>
        <Group justify="space-between">
          <Title order={4}>{t('diskTitle')}</Title>
          {u && (
            <Text fw={600} data-testid="disk-total">
              {t('diskTotal', { size: formatBytes(u.totalBytes) })}
            </Text>
          )}
        </Group>
        <Text size="sm" c="dimmed">
          {t('diskHint')}
        </Text>
        {u && (
          <SimpleGrid cols={{ base: 2, md: 5 }}>
            {(
              [
                [t('diskDatabase', { rows: u.rows }), u.databaseBytes, 'database'],
                [t('diskRuns'), u.runsBytes, 'runs'],
                [t('diskUploads'), u.uploadsBytes, 'uploads'],
                [t('diskExports'), u.exportsBytes, 'exports'],
                [t('diskBackups'), u.backupsBytes, 'backups'],
              ] as const
            ).map(([label, bytes, id]) => (
              <Stack key={id} gap={0} data-testid={`disk-${id}`}>
                <Text size="xs" c="dimmed">
                  {label}
                </Text>
                <Text fw={600}>{formatBytes(bytes)}</Text>
              </Stack>
            ))}
          </SimpleGrid>
        )}
        {u && !u.runs.length && !u.uploads.length && (
          <Text size="sm" c="dimmed">
            {t('diskNothing')}
          </Text>
        )}
        {u && (u.runs.length > 0 || u.uploads.length > 0) && (
          <Table>
            <Table.Tbody>
              {u.runs.map((r) => (
                <Table.Tr key={`r${r.runId}`} data-testid="disk-run" data-run-id={r.runId}>
                  <Table.Td>{t('diskRun', { runId: r.runId, date: date(r.createdAt) })}</Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      {reasons(r).map((x) => (
                        <Badge key={x} variant="light" size="sm">
                          {x}
                        </Badge>
                      ))}
                      {r.active && (
                        <Badge color="yellow" size="sm">
                          {t('diskRunActive')}
                        </Badge>
                      )}
                    </Group>
                  </Table.Td>
                  <Table.Td>{formatBytes(r.bytes)}</Table.Td>
                  <Table.Td>
                    <DeleteButton
                      disabled={r.active || busy !== null}
                      loading={busy === `run-${r.runId}`}
                      onClick={() => deleteRun(r, false)}
                      testId="disk-run-delete"
                    />
                  </Table.Td>
                </Table.Tr>
              ))}
              {u.uploads.map((up) => (
                <Table.Tr key={`u${up.id}`} data-testid="disk-upload">
                  <Table.Td>{t('diskUpload', { name: up.name, size: formatBytes(up.bytes) })}</Table.Td>
                  <Table.Td>
                    {up.inUse && (
                      <Badge color="yellow" size="sm">
                        {t('diskUploadInUse')}
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td>{formatBytes(up.bytes)}</Table.Td>
                  <Table.Td>
                    <DeleteButton
                      disabled={up.inUse || busy !== null}
                      loading={busy === `upload-${up.id}`}
                      onClick={() =>
                        void run(`upload-${up.id}`, () =>
                          call('disk.deleteUpload', { projectId: project.id, uploadId: up.id }),
                        )
                      }
                      testId="disk-upload-delete"
                    />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {message && (
          <Alert color="green" data-testid="disk-message">
            {message}
          </Alert>
        )}
        {(error || usage.error) && (
          <Alert color="red" title={t('error')} data-testid="disk-error">
            {error ?? usage.error?.message}
          </Alert>
        )}
      </Stack>
      <Modal
        opened={confirm !== null}
        onClose={() => setConfirm(null)}
        title={confirm ? t('diskConfirmTitle', { runId: confirm.runId }) : ''}
      >
        {confirm && (
          <Stack>
            <Text size="sm">{t('diskConfirmBody', { reasons: reasons(confirm).join(', ') })}</Text>
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setConfirm(null)}>
                {t('diskCancel')}
              </Button>
              <Button color="red" onClick={() => deleteRun(confirm, true)} data-testid="disk-confirm-delete">
                {t('diskConfirmDelete')}
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </Card>
  );
}
