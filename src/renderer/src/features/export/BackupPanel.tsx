import { jobResult } from '../../../../shared/jobs';
import { Alert, Button, Card, Group, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { IconDatabaseExport, IconDatabaseImport, IconFileUpload } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { BackupSummary, RestoreResult } from '../../../../shared/backup';
import type { Project } from '../../../../shared/projects';
import { api, call, errorText, useAction } from '../../api';
import { FilePickButton, SaveFileLink } from '../../components/FileActions';
import { JobRow } from '../../components/StatusBar';
import { formatBytes } from '../../../../shared/disk';
import { useTrackedJob } from './useTrackedJob';

/** Back up this project into one file; restore any backup as a new project. */
export function BackupPanel({ project }: { project: Project }): React.JSX.Element {
  const { t } = useTranslation('export');
  const [busy, setBusy] = useState<'inspect' | 'restore' | null>(null);
  const { job: backupJob, track: setBackupJob } = useTrackedJob();
  const [picked, setPicked] = useState<{ path: string; summary: BackupSummary } | null>(null);
  const [name, setName] = useState('');
  const [restored, setRestored] = useState<RestoreResult | null>(null);
  const [error, setError] = useState<string | null>(null);

  const doBackup = async (): Promise<void> => {
    setError(null);
    try {
      setBackupJob(await call('backup.create', { projectId: project.id }));
    } catch (e) {
      setError(errorText(e));
    }
  };
  const backupAction = useAction(doBackup);
  const backup = jobResult(backupJob, 'export.backup');
  const backingUp =
    backupJob !== null && ['running', 'paused', 'queued', 'interrupted'].includes(backupJob.state);

  const pick = async (file: File): Promise<void> => {
    setBusy('inspect');
    setError(null);
    setPicked(null);
    setRestored(null);
    try {
      const provided = await api.provideFile(file);
      if (!provided.ok) throw new Error(provided.error.message);
      const summary = await call('backup.inspect', { path: provided.value.path });
      setPicked({ path: provided.value.path, summary });
      setName(summary.suggestedName);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(null);
    }
  };

  const restore = async (): Promise<void> => {
    if (!picked) return;
    setBusy('restore');
    setError(null);
    try {
      setRestored(await call('backup.restore', { path: picked.path, name: name.trim() }));
      setPicked(null);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(null);
    }
  };

  return (
    <Card withBorder data-testid="backup-panel">
      <Stack>
        <Title order={4}>{t('backupTitle')}</Title>
        <SimpleGrid cols={{ base: 1, lg: 2 }}>
          <Stack>
            <Text size="sm" c="dimmed">
              {t('backupHint')}
            </Text>
            <Group>
              <Button
                leftSection={<IconDatabaseExport size={16} />}
                loading={backingUp || backupAction.pending}
                onClick={() => backupAction.run()}
                data-testid="backup-create"
              >
                {t('backupButton')}
              </Button>
            </Group>
            {backupJob && backupJob.state !== 'completed' && <JobRow job={backupJob} />}
            {backupJob?.state === 'failed' && <Alert color="red">{backupJob.error}</Alert>}
            {backup && (
              <Alert color="green" data-testid="backup-result">
                <Stack gap={4}>
                  <Text size="sm">
                    {t('backedUp', {
                      rows: backup.rows,
                      files: backup.files,
                      size: formatBytes(backup.bytes),
                    })}
                  </Text>
                  <SaveFileLink path={backup.path} fileName={backup.fileName} testId="backup-download">
                    {t('downloadBackup')}
                  </SaveFileLink>
                </Stack>
              </Alert>
            )}
          </Stack>
          <Stack>
            <Text fw={600}>{t('restoreTitle')}</Text>
            <Text size="sm" c="dimmed">
              {t('restoreHint')}
            </Text>
            <Group>
              <FilePickButton
                variant="default"
                leftSection={<IconFileUpload size={16} />}
                loading={busy === 'inspect'}
                inputTestId="restore-file-input"
                onPick={(f) => void pick(f)}
              >
                {t('chooseBackup')}
              </FilePickButton>
            </Group>
            {picked && (
              <Stack gap="xs" data-testid="restore-summary">
                <Text size="sm">
                  {t('backupOf', {
                    name: picked.summary.projectName,
                    date: new Date(picked.summary.createdAt).toLocaleString(),
                    rows: picked.summary.rows,
                    files: picked.summary.files,
                  })}
                </Text>
                <TextInput
                  label={t('restoreName')}
                  value={name}
                  onChange={(e) => setName(e.currentTarget.value)}
                  description={picked.summary.nameTaken ? t('nameTaken') : undefined}
                  data-testid="restore-name"
                />
                <Group>
                  <Button
                    leftSection={<IconDatabaseImport size={16} />}
                    loading={busy === 'restore'}
                    disabled={!name.trim()}
                    onClick={() => void restore()}
                    data-testid="restore-submit"
                  >
                    {t('restoreButton')}
                  </Button>
                </Group>
              </Stack>
            )}
            {restored && (
              <Alert color="green" data-testid="restore-result">
                {t('restored', { name: restored.name })}
              </Alert>
            )}
          </Stack>
        </SimpleGrid>
        {error && (
          <Alert color="red" title={t('error')} data-testid="export-error">
            {error}
          </Alert>
        )}
      </Stack>
    </Card>
  );
}
