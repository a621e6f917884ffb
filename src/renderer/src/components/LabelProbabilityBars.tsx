import { Badge, Button, Group, Progress, Stack, Text } from '@mantine/core';
import { IconChevronDown, IconChevronUp } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { MULTI_LABEL_THRESHOLD } from '../../../shared/review';

/**
 * A multi-label output: one independent bar per label (each label's own probability that it applies, from 0 to
 * 100%; together they need not add up to 100%), a label at or above its threshold marked as applying (50% unless
 * `thresholds` gives each label its own, e.g. a student's tuned thresholds). Shared by the Teacher, Review and Export
 * steps. `probs` (and `thresholds`) are in the order of `labels` (a run's label snapshot).
 */
export function LabelProbabilityBars({
  labels,
  probs,
  compact = false,
  thresholds,
  fold = false,
  testId = 'teacher-label',
}: {
  labels: ReadonlyArray<{ readonly id: number; readonly name: string }>;
  probs: readonly number[];
  /** Without the caption (e.g. in a table row). */
  compact?: boolean;
  /** Each label's own threshold; absent: 50% for every label (a teacher's yes/no). */
  thresholds?: readonly number[];
  /** Bars of the labels that apply, most probable first; the others folded behind a button. */
  fold?: boolean;
  /** Prefix of the test ids (`<prefix>-bar`, `<prefix>-applies`...). */
  testId?: string;
}): React.JSX.Element {
  const { t } = useTranslation('teacher');
  const [unfolded, setUnfolded] = useState(false);
  const thresholdOf = (k: number): number => thresholds?.[k] ?? MULTI_LABEL_THRESHOLD;
  const rows = labels.map((l, k) => ({ ...l, p: probs[k] ?? 0, threshold: thresholdOf(k) }));
  const applying = rows.filter((r) => r.p >= r.threshold);
  const below = rows.filter((r) => r.p < r.threshold);
  const byProbability = (a: { p: number }, b: { p: number }): number => b.p - a.p;
  const shown = fold ? [...applying].sort(byProbability) : rows;
  const folded = fold ? [...below].sort(byProbability) : [];
  const bar = (r: (typeof rows)[number]): React.JSX.Element => (
    <Group
      key={r.id}
      gap="xs"
      wrap="nowrap"
      data-testid={`${testId}-bar`}
      data-label={r.name}
      data-prob={r.p}
      data-threshold={r.threshold}
    >
      <Text size="xs" w={130} truncate title={r.name}>
        {r.name}
      </Text>
      <Progress
        value={100 * r.p}
        color={r.p >= r.threshold ? 'teal' : 'gray'}
        flex={1}
        size="lg"
        aria-label={t('multi.barLabel', { label: r.name, p: (100 * r.p).toFixed(1) })}
      />
      <Text size="xs" w={48} ta="right" data-testid={`${testId}-prob`}>
        {(100 * r.p).toFixed(1)}%
      </Text>
      {thresholds && (
        <Text size="xs" c="dimmed" w={64} ta="right" title={t('multi.thresholdTitle')}>
          {t('multi.thresholdMark', { value: (100 * r.threshold).toFixed(0) })}
        </Text>
      )}
    </Group>
  );
  return (
    <Stack gap={2} data-testid={`${testId}-probabilities`}>
      {!compact && (
        <Text size="xs" c="dimmed">
          {t('multi.independentHint')}
        </Text>
      )}
      {shown.map(bar)}
      {folded.length > 0 && (
        <Button
          variant="subtle"
          size="compact-xs"
          w="fit-content"
          leftSection={unfolded ? <IconChevronUp size={14} /> : <IconChevronDown size={14} />}
          onClick={() => setUnfolded((u) => !u)}
          data-testid={`${testId}-fold`}
        >
          {unfolded ? t('multi.hideOthers') : t('multi.showOthers', { count: folded.length })}
        </Button>
      )}
      {unfolded && folded.map(bar)}
      <Group gap={4}>
        <Text size="xs" c="dimmed">
          {thresholds ? t('multi.applyingThreshold') : t('multi.applying')}
        </Text>
        {applying.length ? (
          applying.map((l) => (
            <Badge key={l.id} size="xs" variant="light" color="teal" data-testid={`${testId}-applies`}>
              {l.name}
            </Badge>
          ))
        ) : (
          <Badge size="xs" variant="light" color="gray" data-testid={`${testId}-none`}>
            {t('multi.none')}
          </Badge>
        )}
      </Group>
    </Stack>
  );
}
