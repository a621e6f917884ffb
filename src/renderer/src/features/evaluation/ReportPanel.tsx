import { Button, Group, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ModelRef } from '../../../../shared/evaluation';
import { ApiError, call } from '../../api';

function download(fileName: string, mimeType: string, base64: string): void {
  const bin = atob(base64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const url = URL.createObjectURL(new Blob([bytes], { type: mimeType }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The evaluation report as HTML or PDF: saved in the exports folder and downloaded. */
export function ReportPanel({ projectId, model }: { projectId: number; model: ModelRef }): React.JSX.Element {
  const { t, i18n } = useTranslation('evaluation');
  const [busy, setBusy] = useState<'html' | 'pdf' | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const run = async (format: 'html' | 'pdf'): Promise<void> => {
    setBusy(format);
    try {
      const f = await call('evaluation.exportReport', {
        projectId,
        model,
        format,
        language: i18n.language.startsWith('zh') ? 'zh-CN' : 'en',
      });
      setSaved(f.path);
      download(f.fileName, f.mimeType, f.base64);
    } catch (e) {
      notifications.show({ color: 'red', title: t('error'), message: (e as ApiError).message });
    } finally {
      setBusy(null);
    }
  };
  return (
    <Stack>
      <Text size="sm" c="dimmed">
        {t('reportHelp')}
      </Text>
      <Group>
        <Button onClick={() => void run('html')} loading={busy === 'html'} data-testid="report-html">
          {t('exportHtml')}
        </Button>
        <Button onClick={() => void run('pdf')} loading={busy === 'pdf'} data-testid="report-pdf">
          {t('exportPdf')}
        </Button>
      </Group>
      {saved && (
        <Text size="sm" data-testid="report-path" data-path={saved}>
          {t('savedTo', { path: saved })}
        </Text>
      )}
    </Stack>
  );
}
