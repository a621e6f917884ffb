import { DocumentReader, OpenReaderButton } from '../../components/DocumentReader';
import {
  Alert,
  Badge,
  Button,
  Card,
  Checkbox,
  Drawer,
  Group,
  Loader,
  Progress,
  Stack,
  Text,
} from '@mantine/core';
import { runNameText } from '../../../../shared/runText';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DocumentFilter, EvaluationDocument, ModelRef } from '../../../../shared/evaluation';
import { ApiError, call, useQuery } from '../../api';
import { MaskHighlight, useMaskTokens } from '../dataset/MaskHighlight';
import { seriesColour } from '../../../../shared/palette';

function Distribution({ doc }: { doc: EvaluationDocument }): React.JSX.Element {
  const { i18n } = useTranslation();
  return (
    <Stack gap={6}>
      {doc.distributions.map((d) => (
        <Stack key={`${d.model.kind}-${d.model.runId}`} gap={2} data-testid="eval-distribution">
          <Text size="xs" fw={600}>
            {runNameText(d.modelName, i18n.language)}
          </Text>
          {d.labels.map((l, i) => (
            <Group key={l} gap="xs" wrap="nowrap">
              <Text size="xs" w={110} truncate>
                {l}
              </Text>
              <Progress value={d.probs[i] * 100} w={160} color={seriesColour(i)} />
              <Text size="xs" w={48}>
                {(d.probs[i] * 100).toFixed(1)}%
              </Text>
            </Group>
          ))}
        </Stack>
      ))}
    </Stack>
  );
}

/** The documents behind a number, with both models' distributions; selected ones can go to the Review queue. */
export function DocumentsDrawer({
  projectId,
  model,
  filter,
  title,
  onClose,
  onSent,
}: {
  projectId: number;
  model: ModelRef;
  filter: DocumentFilter | null;
  title: string;
  onClose: () => void;
  onSent: () => void;
}): React.JSX.Element {
  const maskTokens = useMaskTokens(projectId);
  const { t } = useTranslation('evaluation');
  const [reading, setReading] = useState<number | null>(null);
  const docs = useQuery('evaluation.documents', filter ? { projectId, model, filter, limit: 200 } : null);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [sending, setSending] = useState(false);
  const items = filter && docs.data ? docs.data.items : [];

  const toggle = (id: number): void =>
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  const send = async (): Promise<void> => {
    setSending(true);
    try {
      const r = await call('evaluation.sendToReview', {
        projectId,
        exampleIds: [...selected],
        reason: title,
      });
      notifications.show({ message: t('sentToReview', { added: r.added, already: r.alreadyQueued }) });
      setSelected(new Set());
      docs.reload();
      onSent();
    } catch (e) {
      notifications.show({ color: 'red', title: t('error'), message: (e as ApiError).message });
    } finally {
      setSending(false);
    }
  };

  return (
    <Drawer
      opened={filter !== null}
      onClose={() => {
        setSelected(new Set());
        onClose();
      }}
      position="right"
      size="xl"
      title={`${t('documents')}: ${title}`}
    >
      <Stack data-testid="eval-documents">
        {docs.loading && filter && <Loader size="sm" />}
        {docs.error && <Alert color="red">{docs.error.message}</Alert>}
        {docs.data && (
          <Group justify="space-between">
            <Text size="sm" data-testid="eval-documents-total" data-total={docs.data.total}>
              {t('documentsTotal', { count: docs.data.total })}
              {docs.data.total > items.length ? ` (${t('documentsShown', { count: items.length })})` : ''}
            </Text>
            <Group>
              <Checkbox
                label={t('selectAll')}
                checked={items.length > 0 && selected.size === items.length}
                onChange={(e) =>
                  setSelected(e.currentTarget.checked ? new Set(items.map((d) => d.exampleId)) : new Set())
                }
              />
              <Button
                size="xs"
                disabled={selected.size === 0}
                loading={sending}
                onClick={() => void send()}
                data-testid="eval-send-review"
              >
                {t('sendToReview')} ({selected.size})
              </Button>
            </Group>
          </Group>
        )}
        {docs.data && items.length === 0 && <Text c="dimmed">{t('noDocuments')}</Text>}
        {items.map((d) => (
          <Card
            key={d.exampleId}
            withBorder
            padding="sm"
            data-testid="eval-document"
            data-example-id={d.exampleId}
          >
            <Group align="flex-start" wrap="nowrap">
              <Checkbox
                checked={selected.has(d.exampleId)}
                onChange={() => toggle(d.exampleId)}
                aria-label={`#${d.exampleId}`}
                data-testid="eval-doc-check"
              />
              <Stack gap={6} style={{ flex: 1 }}>
                <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                  <MaskHighlight text={d.text} tokens={maskTokens} />
                </Text>
                <Group gap="xs">
                  <Badge color="gray" variant="light">
                    {t('gold')}: {d.gold}
                  </Badge>
                  <Badge color={d.gold === d.predicted ? 'teal' : 'red'} variant="light">
                    {t('predicted')}: {d.predicted} ({(d.confidence * 100).toFixed(0)}%)
                  </Badge>
                  <OpenReaderButton
                    variant="subtle"
                    onOpen={() => setReading(d.exampleId)}
                    testId="eval-doc-open"
                  />
                  {d.inReviewQueue && (
                    <Badge color="indigo" data-testid="eval-in-queue">
                      {t('inQueue')}
                    </Badge>
                  )}
                </Group>
                <Distribution doc={d} />
              </Stack>
            </Group>
          </Card>
        ))}
      </Stack>
      <DocumentReader projectId={projectId} exampleId={reading} onClose={() => setReading(null)} />
    </Drawer>
  );
}
