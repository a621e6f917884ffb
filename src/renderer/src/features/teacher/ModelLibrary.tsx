import {
  Alert,
  Badge,
  Button,
  Card,
  Code,
  Group,
  Radio,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { IconCpu, IconTrash, IconUpload } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatBytes } from '../../../../shared/disk';
import { jobResult, type Job } from '../../../../shared/jobs';
import type { HardwareInfo } from '../../../../shared/teacher';
import { api, call, errorText, useAction, useEvent, useQuery } from '../../api';
import { FilePickButton } from '../../components/FileActions';
import { JobRow } from '../../components/StatusBar';

interface Props {
  readonly selected: number | null;
  readonly onSelect: (modelId: number | null) => void;
}

/** Imported models (metadata, SHA-256), import from disk or an explicit download, hardware and fit. */
export function ModelLibrary({ selected, onSelect }: Props): React.JSX.Element {
  const { t } = useTranslation('teacher');
  const models = useQuery('teacher.models', {});
  const recommended = useQuery('teacher.recommended', {});
  const [job, setJob] = useState<Job | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [url, setUrl] = useState('');
  const [hardware, setHardware] = useState<HardwareInfo | null>(null);
  const [checking, setChecking] = useState(false);

  const apply = (j: Job): void => {
    const model = jobResult(j, 'teacher.import');
    if (model) {
      models.reload();
      onSelect(model.id);
      setJob(null);
    } else if (j.state === 'failed' || j.state === 'cancelled') {
      setError(j.error ?? j.state);
      setJob(null);
    } else setJob(j);
  };
  useEvent('job.updated', (j) => {
    if (job && j.id === job.id) apply(j);
  });
  // A small file is copied before the start request even returns: read the job once more so no end is missed.
  const follow = async (started: Job): Promise<void> => {
    setJob(started);
    apply(await call('jobs.get', { jobId: started.id }));
  };

  const pick = async (file: File): Promise<void> => {
    setError(null);
    const provided = await api.provideFile(file);
    if (!provided.ok) {
      setError(provided.error.message);
      return;
    }
    try {
      await follow(await call('teacher.importModel', { path: provided.value.path }));
    } catch (e) {
      setError(errorText(e));
    }
  };

  const pickAction = useAction(pick);

  const checkHardware = async (): Promise<void> => {
    setChecking(true);
    setError(null);
    try {
      setHardware(await call('teacher.hardware', { modelId: selected ?? undefined }));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setChecking(false);
    }
  };

  const list = models.data ?? [];
  return (
    <Card withBorder data-testid="teacher-library">
      <Group justify="space-between" mb="sm">
        <Title order={4}>{t('library')}</Title>
        <Group gap="xs">
          <FilePickButton
            leftSection={<IconUpload size={16} />}
            loading={job !== null || pickAction.pending}
            accept=".gguf"
            inputTestId="teacher-import-input"
            testId="teacher-import"
            onPick={(f) => pickAction.run(f)}
          >
            {t('importModel')}
          </FilePickButton>
        </Group>
      </Group>
      {job && <JobRow job={job} />}
      {error && (
        <Alert color="red" title={t('error')} mb="sm" data-testid="teacher-library-error">
          {error}
        </Alert>
      )}
      {list.length === 0 ? (
        <Text c="dimmed" size="sm">
          {t('noModels')}
        </Text>
      ) : (
        <Radio.Group value={selected ? String(selected) : null} onChange={(v) => onSelect(Number(v))}>
          <Table>
            <Table.Tbody>
              {list.map((m) => (
                <Table.Tr key={m.id} data-testid="teacher-model" data-model-name={m.name}>
                  <Table.Td w={40}>
                    <Radio value={String(m.id)} aria-label={t('use')} data-testid="teacher-model-select" />
                  </Table.Td>
                  <Table.Td>
                    <Text fw={500}>{m.name}</Text>
                    <Group gap={6}>
                      <Badge variant="light">{m.metadata.architecture}</Badge>
                      <Badge variant="light">
                        {t('params', { count: Number((m.metadata.parameterCount / 1e6).toFixed(1)) })}
                      </Badge>
                      <Badge variant="light">{m.metadata.quantization}</Badge>
                      <Badge variant="light">{t('context', { count: m.metadata.contextLength ?? 0 })}</Badge>
                      <Badge variant="light" color={m.metadata.hasChatTemplate ? 'teal' : 'gray'}>
                        {m.metadata.hasChatTemplate ? t('template') : t('noTemplate')}
                      </Badge>
                      <Text size="xs" c="dimmed">
                        {formatBytes(m.sizeBytes)}
                      </Text>
                    </Group>
                    <Code fz="xs" data-testid="teacher-model-sha">
                      SHA-256 {m.sha256}
                    </Code>
                  </Table.Td>
                  <Table.Td w={60}>
                    <Button
                      size="xs"
                      variant="subtle"
                      color="red"
                      leftSection={<IconTrash size={14} />}
                      onClick={() =>
                        void call('teacher.removeModel', { modelId: m.id }).then(
                          () => {
                            if (selected === m.id) onSelect(null);
                            models.reload();
                          },
                          (e: unknown) => setError(errorText(e)),
                        )
                      }
                    >
                      {t('remove')}
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Radio.Group>
      )}

      <Group mt="md" gap="xs" align="flex-end">
        <Button
          variant="light"
          leftSection={<IconCpu size={16} />}
          loading={checking}
          onClick={() => void checkHardware()}
          data-testid="teacher-check-hardware"
        >
          {t('checkHardware')}
        </Button>
      </Group>
      {hardware && <HardwarePanel hw={hardware} />}

      <Title order={5} mt="md">
        {t('recommended')}
      </Title>
      <Text size="xs" c="dimmed" mb={4}>
        {t('recommendedHint')}
      </Text>
      <Stack gap={2}>
        {(recommended.data ?? []).map((r) => (
          <Text size="sm" key={r.name}>
            <b>{r.name}</b> · {t('needs', { file: r.fileSizeGb, ram: r.minRamGb, vram: r.gpuVramGb })} ·{' '}
            {r.note}
          </Text>
        ))}
      </Stack>
      <Group mt="sm" align="flex-end" gap="xs">
        <TextInput
          flex={1}
          label={t('downloadUrl')}
          placeholder="https://…/model.gguf"
          value={url}
          onChange={(e) => setUrl(e.currentTarget.value)}
        />
        <Button
          variant="default"
          disabled={!url.trim() || job !== null}
          onClick={() =>
            void call('teacher.downloadModel', { url: url.trim() }).then(follow, (e: unknown) =>
              setError(errorText(e)),
            )
          }
        >
          {t('download')}
        </Button>
      </Group>
    </Card>
  );
}

function HardwarePanel({ hw }: { hw: HardwareInfo }): React.JSX.Element {
  const { t } = useTranslation('teacher');
  const fit = hw.fit;
  const fitText = !fit
    ? null
    : fit.placement === 'gpu-full'
      ? t('fitGpuFull', { total: fit.totalLayers })
      : fit.placement === 'gpu-partial'
        ? t('fitGpuPartial', { layers: fit.gpuLayers, total: fit.totalLayers })
        : fit.placement === 'cpu'
          ? t('fitCpu')
          : t('fitTooLarge');
  return (
    <Stack gap={2} mt="xs" data-testid="teacher-hardware">
      <Text size="sm">
        {t('gpu')}: <b>{hw.gpu === 'cpu' ? t('cpuOnly') : hw.gpu.toUpperCase()}</b> {hw.gpuNames.join(', ')}
      </Text>
      {hw.gpu !== 'cpu' && (
        <Text size="sm">
          {t('vram')}: {formatBytes(hw.vramFreeBytes)} / {formatBytes(hw.vramTotalBytes)}
        </Text>
      )}
      <Text size="sm">
        {t('ram')}: {formatBytes(hw.ramFreeBytes)} / {formatBytes(hw.ramTotalBytes)} ·{' '}
        {t('cores', { cores: hw.cpuCores, threads: hw.recommendedThreads })}
      </Text>
      {fit && (
        <Text size="sm" c={fit.placement === 'too-large' ? 'red' : undefined} data-testid="teacher-fit">
          {fitText} ({t('fitNeeds', { ram: formatBytes(fit.ramBytes), vram: formatBytes(fit.vramBytes) })})
        </Text>
      )}
    </Stack>
  );
}
