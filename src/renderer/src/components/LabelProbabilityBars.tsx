import { Badge, Group, Progress, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';

/**
 * A multi-label teacher output: one independent bar per label (each label's own probability that it applies, from
 * 0 to 100%; together they need not add up to 100%), a label at 50% or more marked as applying. Shared by the
 * Teacher step and the Review step. `probs` are in the order of `labels` (a run's label snapshot).
 */
export function LabelProbabilityBars({
  labels,
  probs,
  compact = false,
}: {
  labels: ReadonlyArray<{ readonly id: number; readonly name: string }>;
  probs: readonly number[];
  /** Without the caption (e.g. in a table row). */
  compact?: boolean;
}): React.JSX.Element {
  const { t } = useTranslation('teacher');
  const applying = labels.filter((_, k) => probs[k] >= 0.5);
  return (
    <Stack gap={2} data-testid="teacher-label-probabilities">
      {!compact && (
        <Text size="xs" c="dimmed">
          {t('multi.independentHint')}
        </Text>
      )}
      {labels.map((l, k) => {
        const p = probs[k] ?? 0;
        return (
          <Group key={l.id} gap="xs" wrap="nowrap" data-testid="teacher-label-bar" data-label={l.name}>
            <Text size="xs" w={130} truncate title={l.name}>
              {l.name}
            </Text>
            <Progress
              value={100 * p}
              color={p >= 0.5 ? 'teal' : 'gray'}
              flex={1}
              size="lg"
              aria-label={t('multi.barLabel', { label: l.name, p: (100 * p).toFixed(1) })}
            />
            <Text size="xs" w={48} ta="right" data-testid="teacher-label-prob">
              {(100 * p).toFixed(1)}%
            </Text>
          </Group>
        );
      })}
      <Group gap={4}>
        <Text size="xs" c="dimmed">
          {t('multi.applying')}
        </Text>
        {applying.length ? (
          applying.map((l) => (
            <Badge key={l.id} size="xs" variant="light" color="teal" data-testid="teacher-label-applies">
              {l.name}
            </Badge>
          ))
        ) : (
          <Badge size="xs" variant="light" color="gray" data-testid="teacher-label-none">
            {t('multi.none')}
          </Badge>
        )}
      </Group>
    </Stack>
  );
}
