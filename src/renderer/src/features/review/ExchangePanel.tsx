import { Alert, Button, Checkbox, FileButton, Group, List, Radio, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconDownload, IconUpload } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ImportReport } from '../../../../shared/review';
import { api, ApiError, call, errorText } from '../../api';

/** Annotations to and from another machine (JSONL), with every conflict and unknown line shown first. */
export function ExchangePanel({
  projectId,
  onChanged,
}: {
  projectId: number;
  onChanged: () => void;
}): React.JSX.Element {
  const { t } = useTranslation('review');
  const [jsonl, setJsonl] = useState<string | null>(null);
  const [fileName, setFileName] = useState('');
  const [report, setReport] = useState<ImportReport | null>(null);
  const [allowPartial, setAllowPartial] = useState(false);
  const [onConflict, setOnConflict] = useState<'skip' | 'theirs'>('skip');
  const [error, setError] = useState<string | null>(null);

  const fail = (e: unknown): void => setError(errorText(e));

  const download = async (): Promise<void> => {
    try {
      const r = await call('review.export', { projectId });
      const url = URL.createObjectURL(new Blob([r.jsonl], { type: 'application/x-ndjson' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `annotations-project-${projectId}.jsonl`;
      a.click();
      URL.revokeObjectURL(url);
      notifications.show({ message: t('exported', { count: r.count }) });
    } catch (e) {
      fail(e);
    }
  };

  const pick = async (file: File | null): Promise<void> => {
    if (!file) return;
    setError(null);
    try {
      // Sent as a file (a path, or an upload in the browser), not as one request of text: any number of annotations.
      const provided = await api.provideFile(file);
      if (!provided.ok) throw new ApiError(provided.error);
      const path = provided.value.path;
      setJsonl(path);
      setFileName(file.name);
      setReport(await call('review.import', { projectId, path, dryRun: true, allowPartial, onConflict }));
    } catch (e) {
      fail(e);
    }
  };

  const apply = async (): Promise<void> => {
    if (jsonl === null) return;
    try {
      const r = await call('review.import', {
        projectId,
        path: jsonl,
        dryRun: false,
        allowPartial,
        onConflict,
      });
      setReport(r);
      if (!r.dryRun) {
        notifications.show({ color: 'teal', message: t('imported', { count: r.imported }) });
        onChanged();
      }
    } catch (e) {
      fail(e);
    }
  };

  // A multi-label conflict names two sets: shown as "a, b", the empty set in the reader's language.
  const setText = (names: readonly string[] | undefined, joined: string): string =>
    names === undefined ? joined : names.length === 0 ? t('noneOfThese') : names.join(t('setSeparator'));
  const problems = report
    ? report.invalid.length + report.unknownExamples.length + report.unknownLabels.length
    : 0;
  return (
    <Stack gap="md" maw={900}>
      <Title order={5}>{t('exportTitle')}</Title>
      <Text size="sm">{t('exportIntro')}</Text>
      <Group>
        <Button
          leftSection={<IconDownload size={16} />}
          onClick={() => void download()}
          data-testid="export-annotations"
        >
          {t('exportButton')}
        </Button>
      </Group>
      <Title order={5} mt="md">
        {t('importTitle')}
      </Title>
      <Group>
        <FileButton onChange={(f) => void pick(f)} accept=".jsonl,.json,.txt">
          {(props) => (
            <Button
              {...props}
              variant="default"
              leftSection={<IconUpload size={16} />}
              data-testid="import-pick"
            >
              {t('importPick')}
            </Button>
          )}
        </FileButton>
        {fileName && <Text size="sm">{fileName}</Text>}
      </Group>
      {error && <Alert color="red">{error}</Alert>}
      {report && (
        <Stack gap="xs" data-testid="import-report">
          <Text>
            {t('importSummary', {
              lines: report.lines,
              duplicates: report.duplicates,
              conflicts: report.conflicts.length,
            })}
          </Text>
          {!report.dryRun && <Alert color="teal">{t('imported', { count: report.imported })}</Alert>}
          {problems > 0 && (
            <Alert color="orange" title={t('importProblems', { count: problems })}>
              <List size="sm">
                {[...report.invalid, ...report.unknownExamples, ...report.unknownLabels]
                  .slice(0, 50)
                  .map((p, i) => (
                    <List.Item key={i}>{t('lineMessage', { line: p.line, message: p.message })}</List.Item>
                  ))}
              </List>
            </Alert>
          )}
          {report.conflicts.length > 0 && (
            <Alert color="yellow" title={t('conflictsTitle', { count: report.conflicts.length })}>
              <List size="sm">
                {report.conflicts.slice(0, 50).map((c) => (
                  <List.Item key={c.line}>
                    {t('conflictLine', {
                      id: c.exampleId,
                      current: setText(c.currentLabels, c.currentLabel),
                      currentBy: c.currentAnnotator,
                      imported: setText(c.importedLabels, c.importedLabel),
                      importedBy: c.importedAnnotator,
                    })}
                  </List.Item>
                ))}
              </List>
            </Alert>
          )}
          {problems > 0 && (
            <Checkbox
              label={t('allowPartial')}
              checked={allowPartial}
              onChange={(e) => setAllowPartial(e.currentTarget.checked)}
            />
          )}
          {report.conflicts.length > 0 && (
            <Radio.Group value={onConflict} onChange={(v) => setOnConflict(v as 'skip' | 'theirs')}>
              <Group>
                <Radio value="skip" label={t('keepOurs')} />
                <Radio value="theirs" label={t('takeTheirs')} />
              </Group>
            </Radio.Group>
          )}
          {report.dryRun && (
            <Group>
              <Button
                onClick={() => void apply()}
                disabled={problems > 0 && !allowPartial}
                data-testid="import-apply"
              >
                {t('importApply')}
              </Button>
            </Group>
          )}
        </Stack>
      )}
    </Stack>
  );
}
