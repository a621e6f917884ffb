import { Badge, Button, Drawer, Group, Loader, Progress, Stack, Table, Text, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ReviewItem } from '../../../shared/review';
import { call } from '../api';

interface StudentView {
  readonly runId: number;
  readonly labels: readonly string[];
  readonly probs: readonly number[];
}

function Bars({
  rows,
  testId,
}: {
  rows: ReadonlyArray<{ name: string; prob: number }>;
  testId: string;
}): React.JSX.Element {
  return (
    <Stack gap={2} data-testid={testId}>
      {[...rows]
        .sort((a, b) => b.prob - a.prob)
        .map((r) => (
          <Group key={r.name} gap="xs" wrap="nowrap">
            <Text size="xs" w={140} truncate>
              {r.name}
            </Text>
            <Progress value={100 * r.prob} flex={1} size="lg" />
            <Text size="xs" w={48} ta="right">
              {(100 * r.prob).toFixed(1)}%
            </Text>
          </Group>
        ))}
    </Stack>
  );
}

/** A model's distribution under its title (teacher, student), or a line saying there is none. */
function BarsSection({
  title,
  rows,
  testId,
  noneText,
  noneTestId,
}: {
  title: string;
  rows: ReadonlyArray<{ name: string; prob: number }> | null;
  testId: string;
  noneText: string;
  noneTestId: string;
}): React.JSX.Element {
  return (
    <div>
      <Text fw={600} size="sm">
        {title}
      </Text>
      {rows ? (
        <Bars rows={rows} testId={testId} />
      ) : (
        <Text size="sm" c="dimmed" data-testid={noneTestId}>
          {noneText}
        </Text>
      )}
    </div>
  );
}

/** The button that opens one document in the reader (Browse, Review, Evaluate's documents). */
export function OpenReaderButton({
  onOpen,
  variant,
  testId,
}: {
  onOpen: () => void;
  variant: 'light' | 'subtle';
  testId: string;
}): React.JSX.Element {
  const { t } = useTranslation();
  return (
    <Button size="compact-xs" variant={variant} onClick={onOpen} data-testid={testId}>
      {t('reader.open')}
    </Button>
  );
}

/**
 * One document in full: its text, the label people gave it and every label it was given (who, when), the teacher's
 * distribution and, when a student was trained, the student's prediction. Opened from Browse, Review and Evaluate.
 */
export function DocumentReader({
  projectId,
  exampleId,
  onClose,
}: {
  projectId: number;
  exampleId: number | null;
  onClose: () => void;
}): React.JSX.Element {
  const { t } = useTranslation();
  const [item, setItem] = useState<ReviewItem | null>(null);
  const [student, setStudent] = useState<StudentView | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    setItem(null);
    setStudent(null);
    setError(null);
    if (exampleId === null) return;
    void (async () => {
      try {
        const doc = await call('review.item', { projectId, exampleId });
        if (!live) return;
        setItem(doc);
        // The newest student with a model, if any: its prediction on this text.
        const runs = await call('student.runs', { projectId }).catch(() => []);
        const run = [...runs]
          .filter((r) => r.state === 'completed' && r.modelPath)
          .sort((a, b) => b.id - a.id)[0];
        if (!run || !live) return;
        const p = await call('student.predict', { runId: run.id, texts: [doc.text] }).catch(() => null);
        if (p && live) setStudent({ runId: run.id, labels: p.labels, probs: p.probs[0] });
      } catch (e) {
        if (live) setError(e instanceof Error ? e.message : String(e));
      }
    })();
    return () => {
      live = false;
    };
  }, [projectId, exampleId]);

  const human = item?.history.find((h) => h.retractedAt === null);
  return (
    <Drawer
      opened={exampleId !== null}
      onClose={onClose}
      position="right"
      size="xl"
      title={<Title order={4}>{t('reader.title', { id: exampleId ?? '' })}</Title>}
      data-testid="document-reader"
    >
      {error && (
        <Text c="red" data-testid="reader-error">
          {error}
        </Text>
      )}
      {!item && !error && <Loader size="sm" />}
      {item && (
        <Stack gap="md">
          <Group gap="xs">
            <Badge variant="outline">
              {item.split ? t(`reader.split.${item.split}`) : t('reader.noSplit')}
            </Badge>
            <Badge variant="light" data-testid="reader-human-label">
              {item.humanLabelSet
                ? item.humanLabelSet.length
                  ? item.humanLabelSet
                      .map((id) => item.history.find((h) => h.labelId === id)?.labelName ?? id)
                      .join(', ')
                  : t('reader.noneOfThese')
                : (human?.labelName ?? t('reader.unlabelled'))}
            </Badge>
          </Group>
          <Text
            size="sm"
            style={{ whiteSpace: 'pre-wrap', maxHeight: 360, overflow: 'auto' }}
            data-testid="reader-text"
          >
            {item.text}
          </Text>

          <BarsSection
            title={t('reader.teacher')}
            rows={item.teacher?.probs.map((p) => ({ name: p.name, prob: p.prob })) ?? null}
            testId="reader-teacher"
            noneText={t('reader.noTeacher')}
            noneTestId="reader-no-teacher"
          />
          <BarsSection
            title={t('reader.student')}
            rows={student ? student.labels.map((name, i) => ({ name, prob: student.probs[i] })) : null}
            testId="reader-student"
            noneText={t('reader.noStudent')}
            noneTestId="reader-no-student"
          />

          <div>
            <Text fw={600} size="sm">
              {t('reader.history')}
            </Text>
            {item.history.length === 0 ? (
              <Text size="sm" c="dimmed">
                {t('reader.noHistory')}
              </Text>
            ) : (
              <Table fz="xs" data-testid="reader-history">
                <Table.Tbody>
                  {item.history.map((h) => (
                    <Table.Tr key={h.id} style={{ opacity: h.retractedAt ? 0.5 : 1 }}>
                      <Table.Td>{h.labelName ?? (h.labelSet ? h.labelSet.join(', ') : '–')}</Table.Td>
                      <Table.Td>{h.annotator}</Table.Td>
                      <Table.Td>{t(`reader.source.${h.source}`)}</Table.Td>
                      <Table.Td>{new Date(h.createdAt).toLocaleString()}</Table.Td>
                      <Table.Td>{h.retractedAt ? t('reader.retracted') : ''}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
          </div>
        </Stack>
      )}
    </Drawer>
  );
}
