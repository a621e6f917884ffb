import { Alert, Button, Group, Progress, Stack, Text } from '@mantine/core';
import { IconFileImport, IconFolderOpen } from '@tabler/icons-react';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type {
  Encoding,
  ImportPreview,
  ImportResult,
  MultiLabelOptionsInput,
} from '../../../../shared/dataset';
import { jobResult, type Job } from '../../../../shared/jobs';
import { api, ApiError, call, errorText, useAction, useEvent } from '../../api';
import { FilePickButton, FolderPickButton } from '../../components/FileActions';
import { folderFromDrop, folderFromInput, type ChosenFolder } from './folderFiles';
import { ImportOptions, NO_COLUMNS, suggestedColumns, type ImportColumns } from './ImportOptions';
import { ImportOutcome, type OnExisting } from './ImportOutcome';

/** What the file chooser accepts, for dropped files (the core checks the content again). */
const DROPPABLE = /\.(csv|tsv|tab|txt|json|jsonl|ndjson|xlsx)$/i;

interface Props {
  readonly projectId: number;
  readonly onImported: () => void;
  /** A multi-label project: its labels are read as sets (MultiLabelImport). */
  readonly multiLabel?: boolean;
}

const TERMINAL: readonly string[] = ['completed', 'failed', 'cancelled'];

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Pick a file, check how it is read, map its columns, and run the import job. */
export function ImportPanel({ projectId, onImported, multiLabel = false }: Props): React.JSX.Element {
  const { t } = useTranslation('dataset');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [columns, setColumns] = useState<ImportColumns>(NO_COLUMNS);
  const [labelSets, setLabelSets] = useState<MultiLabelOptionsInput | null>(null);
  /** Set when the project already has ids: the person chooses what happens to rows whose id is known. */
  const [askExisting, setAskExisting] = useState<string | null>(null);
  const [keepExtras, setKeepExtras] = useState(true);
  const [onBadRow, setOnBadRow] = useState<'skip' | 'abort'>('abort');
  const [job, setJob] = useState<Job | null>(null);
  const [result, setResult] = useState<ImportResult | null>(null);

  const finished = useRef(new Set<number>());
  const latest = useRef<Job | null>(null);
  const apply = (j: Job): void => {
    const cur = latest.current;
    // Events and replies can arrive out of order: never go back from a final state or to an older update.
    if (cur && cur.id === j.id && (TERMINAL.includes(cur.state) || cur.updatedAt > j.updatedAt)) return;
    latest.current = j;
    setJob(j);
    if (j.state === 'completed' && !finished.current.has(j.id)) {
      finished.current.add(j.id);
      setResult(jobResult(j, 'dataset.import'));
      onImported();
    }
  };
  useEvent('job.updated', (j) => {
    if (job && j.id === job.id) apply(j);
  });

  const load = async (opts: {
    path: string;
    encoding?: Encoding;
    delimiter?: string;
    hasHeader?: boolean;
  }): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      const p = await call('dataset.preview', opts);
      setPreview(p);
      setColumns((c) => suggestedColumns(c, p));
    } catch (e) {
      setPreview(null);
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const pick = async (file: File): Promise<void> => {
    setBusy(true);
    setError(null);
    setJob(null);
    setResult(null);
    setColumns(NO_COLUMNS);
    setSkipped(0);
    const provided = await api.provideFile(file);
    if (!provided.ok) {
      setBusy(false);
      setError(provided.error.message);
      return;
    }
    await load({ path: provided.value.path });
  };

  const [sending, setSending] = useState<{ name: string; sent: number; total: number } | null>(null);
  const [skipped, setSkipped] = useState(0);
  /** Set from the first click to the end: a second click or drop while a folder is sent does nothing. */
  const picking = useRef(false);
  /** A folder: its documents are made available to the core (browser mode: uploaded), then read like a file. */
  const pickFolder = async (
    read: () => ChosenFolder | null | Promise<ChosenFolder | null>,
  ): Promise<void> => {
    if (picking.current) return;
    picking.current = true;
    setBusy(true);
    setError(null);
    setJob(null);
    setResult(null);
    setPreview(null);
    setSkipped(0);
    try {
      let folder: ChosenFolder | null;
      try {
        folder = await read();
      } catch (e) {
        setError(t('import.folderReadFailed', { detail: e instanceof Error ? e.message : String(e) }));
        return;
      }
      if (!folder) return;
      setSkipped(folder.skipped);
      if (folder.files.length === 0) {
        setError(t('import.folderEmpty', { name: folder.name }));
        return;
      }
      setSending({ name: folder.name, sent: 0, total: folder.files.reduce((n, f) => n + f.file.size, 0) });
      const provided = await api.provideFolder(folder, (sent, total) =>
        setSending({ name: folder.name, sent, total }),
      );
      setSending(null);
      if (!provided.ok) {
        setError(provided.error.message);
        return;
      }
      setColumns(NO_COLUMNS);
      await load({ path: provided.value.path });
    } finally {
      setSending(null);
      setBusy(false);
      picking.current = false;
    }
  };

  const [dropped, setDropped] = useState<string | null>(null);
  const [dragOver, setDragOver] = useState(false);
  /** A file or folder dropped onto the panel: read as if chosen; several things at once and other files are refused. */
  const drop = (e: React.DragEvent): void => {
    e.preventDefault();
    setDragOver(false);
    if (running || busy || picking.current) return;
    setDropped(null);
    const items = [...e.dataTransfer.items].filter((i) => i.kind === 'file');
    // A folder arrives as a file entry of size 0; webkitGetAsEntry tells them apart (Chromium, Electron). The entries
    // are only readable during the drop event: taken now, read after.
    const folder = items.findIndex((i) => i.webkitGetAsEntry?.()?.isDirectory);
    if (folder >= 0) {
      if (items.length !== 1) {
        setError(t('import.dropFolder'));
        return;
      }
      const reading = folderFromDrop(items[0], e.dataTransfer.files[0] ?? null);
      void pickFolder(() => reading);
      return;
    }
    const files = [...e.dataTransfer.files];
    if (files.length !== 1) {
      if (files.length > 1) setError(t('import.dropMany', { count: files.length }));
      return;
    }
    const file = files[0];
    if (!DROPPABLE.test(file.name)) {
      setError(t('import.dropUnsupported', { name: file.name }));
      return;
    }
    setDropped(t('import.dropped', { name: file.name, size: formatSize(file.size) }));
    void pick(file);
  };

  const reload = (patch: { encoding?: Encoding; delimiter?: string; hasHeader?: boolean }): void => {
    if (!preview) return;
    void load({
      path: preview.path,
      encoding: patch.encoding ?? preview.encoding,
      delimiter: patch.delimiter ?? preview.delimiter ?? undefined,
      hasHeader: patch.hasHeader ?? preview.hasHeader,
    });
  };

  const start = async (onExisting?: OnExisting): Promise<void> => {
    if (!preview || !columns.text) return;
    setError(null);
    setResult(null);
    setAskExisting(null);
    try {
      const j = await call('dataset.import', {
        projectId,
        path: preview.path,
        format: preview.format,
        encoding: preview.format === 'xlsx' ? undefined : preview.encoding,
        delimiter: preview.delimiter ?? undefined,
        hasHeader: preview.hasHeader,
        textColumn: columns.text,
        labelColumn: columns.label,
        ...(multiLabel && labelSets ? { multiLabel: labelSets } : {}),
        idColumn: columns.id,
        splitColumn: columns.split,
        onExisting,
        keepExtras,
        onBadRow,
        name: preview.name,
      });
      apply(j);
      // A small file can finish before this component hears of the job: read its state once more.
      apply(await call('jobs.get', { jobId: j.id }));
    } catch (e) {
      const details =
        e instanceof ApiError ? (e.info.details as { onExisting?: string } | undefined) : undefined;
      if (e instanceof ApiError && e.info.code === 'CONFLICT' && details?.onExisting === 'required') {
        setAskExisting(e.info.message);
      } else setError(errorText(e));
    }
  };

  // Disabled until the job is known: a double click starts one import.
  const startImport = useAction(start);
  const running = job !== null && ['running', 'paused', 'queued'].includes(job.state);

  return (
    <Stack
      data-testid="import-panel"
      data-drag-over={dragOver}
      onDragOver={(e) => {
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
        setDragOver(true);
      }}
      onDragLeave={() => setDragOver(false)}
      onDrop={drop}
      style={{
        outline: dragOver ? '2px dashed var(--mantine-color-blue-5)' : undefined,
        outlineOffset: 4,
        borderRadius: 8,
      }}
    >
      <Text c="dimmed" size="sm">
        {t('import.intro')}
      </Text>
      <Group>
        <FilePickButton
          leftSection={<IconFileImport size={16} />}
          loading={busy}
          disabled={running}
          accept=".csv,.tsv,.tab,.txt,.json,.jsonl,.ndjson,.xlsx"
          inputTestId="data-file-input"
          testId="data-choose-file"
          onPick={(f) => void pick(f)}
        >
          {t('import.chooseFile')}
        </FilePickButton>
        <FolderPickButton
          variant="light"
          leftSection={<IconFolderOpen size={16} />}
          loading={busy}
          disabled={running}
          inputTestId="data-folder-input"
          testId="data-choose-folder"
          onPick={(files) => void pickFolder(() => folderFromInput(files))}
        >
          {t('import.chooseFolder')}
        </FolderPickButton>
        <Text size="sm" c="dimmed">
          {t('import.dropHere')}
        </Text>
        {dropped && (
          <Text size="sm" data-testid="import-dropped">
            {dropped}
          </Text>
        )}
        {preview && (
          <Text size="sm" data-testid="import-detected">
            {preview.name}:{' '}
            {t('import.detected', {
              format: preview.format.toUpperCase(),
              encoding: preview.encoding,
              bom: preview.bom ? t('import.bom') : '',
              size: preview.format === 'folder' ? '' : formatSize(preview.size),
            })}
          </Text>
        )}
      </Group>
      {sending && (
        <Stack gap={4} data-testid="folder-sending">
          <Text size="sm">
            {t('import.folderUploading', {
              name: sending.name,
              sent: formatSize(sending.sent),
              total: formatSize(sending.total),
            })}
          </Text>
          <Progress value={sending.total > 0 ? (100 * sending.sent) / sending.total : 0} animated />
        </Stack>
      )}
      {skipped > 0 && (
        <Text size="sm" c="dimmed" data-testid="folder-skipped">
          {t('import.folderSkipped', { count: skipped })}
        </Text>
      )}
      {error && (
        <Alert color="red" title={t('import.failed')} data-testid="import-error">
          {error}
        </Alert>
      )}
      {preview && (
        <>
          <ImportOptions
            preview={preview}
            reload={reload}
            columns={columns}
            onColumns={setColumns}
            multiLabel={multiLabel}
            onLabelSets={setLabelSets}
            keepExtras={keepExtras}
            onKeepExtras={setKeepExtras}
            onBadRow={onBadRow}
            onBadRowChange={setOnBadRow}
          />
          <Group>
            <Button
              onClick={() => startImport.run()}
              disabled={!columns.text || running}
              loading={running || startImport.pending}
              data-testid="import-start"
            >
              {t('import.start')}
            </Button>
          </Group>
        </>
      )}
      <ImportOutcome
        ask={askExisting}
        onAnswer={(onExisting) => startImport.run(onExisting)}
        onCloseAsk={() => setAskExisting(null)}
        job={job}
        running={running}
        result={result}
      />
    </Stack>
  );
}
