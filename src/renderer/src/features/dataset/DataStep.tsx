import { Alert, Badge, Button, Group, Loader, Stack, Tabs, Text } from '@mantine/core';
import { IconDownload, IconLock } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, call, errorText, useEvent, useQuery } from '../../api';
import { LeakageAlert } from '../../components/LeakageAlert';
import type { StepProps } from '../../wizard/types';
import { BrowsePanel } from './BrowsePanel';
import { CleanPanel } from './CleanPanel';
import { ImportPanel } from './ImportPanel';
import { LabelsPanel } from './LabelsPanel';
import { SplitPanel } from './SplitPanel';

/** The Data step: import, browse and search, labels, cleaning, splits and the test lock, export. */
export function DataStep({ project, onProjectChanged }: StepProps): React.JSX.Element {
  const { t } = useTranslation('dataset');
  const projectId = project.id;
  const stats = useQuery('dataset.stats', { projectId });
  const labels = useQuery('dataset.labels', { projectId });
  const [tab, setTab] = useState<string | null>(project.exampleCount > 0 ? 'browse' : 'import');
  const [version, setVersion] = useState(0);
  const [exportError, setExportError] = useState<string | null>(null);

  const refresh = (): void => {
    stats.reload();
    labels.reload();
    setVersion((v) => v + 1);
    onProjectChanged();
  };
  useEvent('project.changed', (e) => {
    if (e.projectId !== projectId) return;
    stats.reload();
    labels.reload();
    setVersion((v) => v + 1);
  });

  const exportAs = async (format: 'csv' | 'jsonl'): Promise<void> => {
    setExportError(null);
    try {
      const r = await call('dataset.export', { projectId, format });
      const saved = await api.saveFile(r.path, r.fileName);
      if (!saved.ok) setExportError(saved.error.message);
    } catch (e) {
      setExportError(errorText(e));
    }
  };

  const s = stats.data;
  return (
    <Stack data-testid="data-step">
      <Group justify="space-between">
        <Group gap="sm">
          {s ? (
            <Text data-testid="data-summary" data-total={s.total}>
              {t('summary', {
                total: s.total,
                included: s.included,
                excluded: s.excluded,
                labelled: s.labelled,
              })}
            </Text>
          ) : (
            <Loader size="sm" />
          )}
          {s?.testLocked && (
            <Badge color="orange" leftSection={<IconLock size={12} />} data-testid="test-locked-badge">
              {t('testLocked')}
            </Badge>
          )}
        </Group>
        <Group gap="xs">
          <Button
            size="xs"
            variant="default"
            leftSection={<IconDownload size={14} />}
            onClick={() => void exportAs('csv')}
            disabled={!s?.total}
            data-testid="export-csv"
          >
            {t('exportCsv')}
          </Button>
          <Button
            size="xs"
            variant="default"
            leftSection={<IconDownload size={14} />}
            onClick={() => void exportAs('jsonl')}
            disabled={!s?.total}
            data-testid="export-jsonl"
          >
            {t('exportJsonl')}
          </Button>
        </Group>
      </Group>
      {(stats.error || exportError) && (
        <Alert color="red" title={t('error')}>
          {stats.error?.message ?? exportError}
        </Alert>
      )}
      <LeakageAlert projectId={projectId} version={version} />
      <Tabs value={tab} onChange={setTab} keepMounted={false}>
        <Tabs.List>
          {(['import', 'browse', 'labels', 'clean', 'split'] as const).map((k) => (
            <Tabs.Tab key={k} value={k} data-testid={`data-tab-${k}`}>
              {t(`tabs.${k}`)}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        <Tabs.Panel value="import" pt="md">
          <ImportPanel projectId={projectId} onImported={refresh} multiLabel={project.kind === 'multi'} />
          {s && s.sources.length > 0 && (
            <Stack gap={2} mt="lg" data-testid="data-sources">
              <Text fw={600} size="sm">
                {t('import.sources')}
              </Text>
              {s.sources.map((src) => (
                <Text key={src.id} size="sm" c="dimmed">
                  {src.name} · {src.format.toUpperCase()}
                  {src.encoding ? ` · ${src.encoding}` : ''} · {t('import.rows', { count: src.rowCount })}
                </Text>
              ))}
            </Stack>
          )}
        </Tabs.Panel>
        <Tabs.Panel value="browse" pt="md">
          {s && (
            <BrowsePanel
              projectId={projectId}
              stats={s}
              labels={labels.data ?? []}
              version={version}
              onChanged={refresh}
              multi={project.kind === 'multi'}
            />
          )}
        </Tabs.Panel>
        <Tabs.Panel value="labels" pt="md">
          <LabelsPanel projectId={projectId} labels={labels.data ?? []} onChanged={refresh} />
        </Tabs.Panel>
        <Tabs.Panel value="clean" pt="md">
          <CleanPanel projectId={projectId} onChanged={refresh} />
        </Tabs.Panel>
        <Tabs.Panel value="split" pt="md">
          {s && <SplitPanel projectId={projectId} stats={s} onChanged={refresh} />}
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
