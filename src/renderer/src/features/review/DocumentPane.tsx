import { Badge, Group, Paper, ScrollArea, Stack, Text } from '@mantine/core';
import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import type { ReviewItem, ReviewState } from '../../../../shared/review';
import { MaskHighlight, type MaskTokens } from '../dataset/MaskHighlight';
import { Highlighted } from './Highlighted';
import { OpenReaderButton } from '../../components/DocumentReader';

interface Props {
  readonly item: ReviewItem;
  readonly labels: ReviewState['labels'];
  readonly multi: boolean;
  readonly search: string;
  readonly colourOf: (labelId: number) => string | undefined;
  /** The project's masking rules' tokens: masked spans are marked with their rule's name. */
  readonly maskTokens: MaskTokens;
  /** Opens the document in the reader (full text, every label given, the teacher's and the student's view). */
  readonly onOpenReader: (exampleId: number) => void;
}

/** The names of a label set, or "none of these" for the empty set. */
export function setNames(set: readonly number[], labels: ReviewState['labels'], none: string): string {
  if (set.length === 0) return none;
  return set.map((id) => labels.find((l) => l.id === id)?.name ?? `#${id}`).join(', ');
}

/** The shown document: its text, its current human label (set), and its last few labels. */
/** Memoised: a save finishing re-renders the panel around it, not the document. */
export const DocumentPane = memo(function DocumentPane({
  item,
  labels,
  multi,
  search,
  colourOf,
  maskTokens,
  onOpenReader,
}: Props): React.JSX.Element {
  const { t } = useTranslation('review');
  const labelName = (id: number | null): string => labels.find((l) => l.id === id)?.name ?? '';
  return (
    <Stack gap="sm" style={{ flex: 3, minWidth: 0 }}>
      <Paper withBorder p="md">
        <Group justify="space-between" mb="xs">
          <Group gap="xs">
            <Text size="sm" c="dimmed">
              {t('document', { id: item.exampleId })}
              {item.split ? ` · ${t(`split_${item.split}`)}` : ''}
            </Text>
            <OpenReaderButton
              variant="light"
              onOpen={() => onOpenReader(item.exampleId)}
              testId="review-open-reader"
            />
          </Group>
          {!multi && item.humanLabelId !== null && (
            <Badge data-testid="current-label" color={colourOf(item.humanLabelId)}>
              {labelName(item.humanLabelId)}
            </Badge>
          )}
          {multi && item.humanLabelSet !== null && (
            <Group gap={4} data-testid="current-label">
              {item.humanLabelSet.length === 0 ? (
                <Badge color="gray" variant="outline">
                  {t('noneOfThese')}
                </Badge>
              ) : (
                item.humanLabelSet.map((id) => (
                  <Badge key={id} color={colourOf(id)}>
                    {labelName(id)}
                  </Badge>
                ))
              )}
            </Group>
          )}
        </Group>
        <ScrollArea.Autosize mah="55vh">
          <Text
            size="lg"
            style={{ whiteSpace: 'pre-wrap', lineHeight: 1.6 }}
            data-testid="review-doc"
            data-example-id={item.exampleId}
          >
            <MaskHighlight
              text={item.text}
              tokens={maskTokens}
              renderPlain={(part) => <Highlighted text={part} search={search} />}
            />
          </Text>
        </ScrollArea.Autosize>
      </Paper>
      {item.history.length > 0 && (
        <Stack gap={2} data-testid="doc-history">
          <Text size="sm" fw={600}>
            {t('docHistory')}
          </Text>
          {item.history.slice(0, 5).map((h) => (
            <Text
              key={h.id}
              size="xs"
              c={h.retractedAt ? 'dimmed' : undefined}
              td={h.retractedAt ? 'line-through' : undefined}
            >
              {new Date(h.createdAt).toLocaleString()} · {h.annotator} ·{' '}
              {h.labelSet ? setNames(h.labelSet, labels, t('noneOfThese')) : (h.labelName ?? '—')} ·{' '}
              {t(`source.${h.source}`)}
            </Text>
          ))}
        </Stack>
      )}
    </Stack>
  );
});
