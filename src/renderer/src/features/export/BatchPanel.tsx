import { jobResult } from '../../../../shared/jobs';
import { Alert, Button, Checkbox, Group, SegmentedControl, Select, Stack, Text } from '@mantine/core';
import { IconFileUpload, IconPlayerPlay } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ImportPreview } from '../../../../shared/dataset';
import { api, call, errorText, useAction } from '../../api';
import { FilePickButton, SaveFileLink } from '../../components/FileActions';
import { JobRow } from '../../components/StatusBar';
import { StepCard } from './StepCard';
import { useTrackedJob } from './useTrackedJob';

/** Batch prediction over a new file, as a job; the results are downloaded as CSV or JSONL. */
export function BatchPanel({
  projectId,
  runId,
  multi = false,
}: {
  projectId: number;
  runId: number;
  /** A multi-label model: rows get label sets. */
  multi?: boolean;
}): React.JSX.Element {
  const { t } = useTranslation('export');
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [textColumn, setTextColumn] = useState<string | null>(null);
  const [idColumn, setIdColumn] = useState<string | null>(null);
  const [outputFormat, setOutputFormat] = useState<'csv' | 'jsonl'>('csv');
  const [skipBad, setSkipBad] = useState(true);
  const { job, track: setJob } = useTrackedJob();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const pick = async (file: File): Promise<void> => {
    setBusy(true);
    setError(null);
    setJob(null);
    try {
      const provided = await api.provideFile(file);
      if (!provided.ok) throw new Error(provided.error.message);
      const p = await call('dataset.preview', { path: provided.value.path });
      setPreview(p);
      setTextColumn(p.suggested.text);
      setIdColumn(p.suggested.id);
    } catch (e) {
      setPreview(null);
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const startBatch = useAction(() => start());
  async function start(): Promise<void> {
    if (!preview || !textColumn) return;
    setError(null);
    try {
      setJob(
        await call('export.batchPredict', {
          projectId,
          runId,
          path: preview.path,
          format: preview.format,
          textColumn,
          idColumn,
          outputFormat,
          onBadRow: skipBad ? 'skip' : 'abort',
        }),
      );
    } catch (e) {
      setError(errorText(e));
    }
  }

  const result = jobResult(job, 'export.predict');
  const running = job !== null && ['running', 'paused', 'queued', 'interrupted'].includes(job.state);
  return (
    <StepCard testId="batch-panel" title={t('batchTitle')} hint={t('batchHint')}>
      {multi && (
        <Text size="sm" c="dimmed" data-testid="batch-multi-hint">
          {t('batchHintMulti')}
        </Text>
      )}
      <Group>
        <FilePickButton
          variant="default"
          leftSection={<IconFileUpload size={16} />}
          loading={busy}
          inputTestId="batch-file-input"
          onPick={(f) => void pick(f)}
        >
          {t('chooseFile')}
        </FilePickButton>
        {preview && <Text size="sm">{preview.name}</Text>}
      </Group>
      {preview && (
        <>
          <Group grow>
            <Select
              label={t('textColumn')}
              data={[...preview.columns]}
              value={textColumn}
              allowDeselect={false}
              onChange={setTextColumn}
              data-testid="batch-text-column"
            />
            <Select
              label={t('idColumn')}
              data={[...preview.columns]}
              value={idColumn}
              clearable
              onChange={setIdColumn}
            />
          </Group>
          <Group justify="space-between">
            <Group gap="xs">
              <Text size="sm">{t('outputFormat')}</Text>
              <SegmentedControl
                size="xs"
                value={outputFormat}
                data={[
                  { value: 'csv', label: 'CSV' },
                  { value: 'jsonl', label: 'JSONL' },
                ]}
                onChange={(v) => setOutputFormat(v as 'csv' | 'jsonl')}
              />
            </Group>
            <Checkbox
              label={t('skipBad')}
              checked={skipBad}
              onChange={(e) => setSkipBad(e.currentTarget.checked)}
            />
          </Group>
          <Group>
            <Button
              leftSection={<IconPlayerPlay size={16} />}
              disabled={!textColumn || running}
              loading={startBatch.pending}
              onClick={() => startBatch.run()}
              data-testid="batch-start"
            >
              {t('startBatch')}
            </Button>
          </Group>
        </>
      )}
      {job && <JobRow job={job} />}
      {job?.state === 'failed' && <Alert color="red">{t('jobFailed', { message: job.error ?? '' })}</Alert>}
      {error && (
        <Alert color="red" title={t('error')}>
          {error}
        </Alert>
      )}
      {result && (
        <Alert color="green" data-testid="batch-result">
          <Stack gap={4}>
            <Text size="sm">{t('batchDone', { count: result.predicted, bad: result.badRows })}</Text>
            <Text size="sm" data-testid="batch-label-counts">
              {[
                ...Object.entries(result.labelCounts).map(([label, n]) => `${label}: ${n}`),
                ...(result.noneOfThese === undefined ? [] : [t('batchNone', { count: result.noneOfThese })]),
              ].join(' · ')}
            </Text>
            <SaveFileLink path={result.outputPath} fileName={result.fileName} testId="batch-download">
              {t('downloadResults')}
            </SaveFileLink>
          </Stack>
        </Alert>
      )}
    </StepCard>
  );
}
