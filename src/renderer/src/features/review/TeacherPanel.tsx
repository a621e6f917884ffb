import { Button, Group, Paper, Progress, Stack, Text, Title } from '@mantine/core';
import { memo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ReviewItem } from '../../../../shared/review';
import { MULTI_LABEL_THRESHOLD } from '../../../../shared/review';

/** With more labels than this, the teacher panel shows the most likely ones and folds the rest. */
export const TEACHER_TOP = 5;

interface Props {
  readonly item: ReviewItem;
  readonly multi: boolean;
  readonly colourOf: (labelId: number) => string | undefined;
}

/**
 * The teacher's view of the shown document. Single-label: a distribution (sums to 100%). Multi-label: each label's
 * own probability, independent bars (need not sum to 100%), the labels at or above 50% in bold. Many labels: the
 * top few, the rest behind "show all".
 */
export const TeacherPanel = memo(function TeacherPanel({ item, multi, colourOf }: Props): React.JSX.Element {
  const { t } = useTranslation('review');
  const [open, setOpen] = useState(false);
  const teacher = item.teacher;
  if (!teacher) {
    return (
      <Paper withBorder p="sm">
        <Title order={5} mb="xs">
          {t('teacher')}
        </Title>
        <Text size="sm" c="dimmed">
          {t('noTeacher')}
        </Text>
      </Paper>
    );
  }
  const many = teacher.probs.length > TEACHER_TOP;
  const ordered = many ? [...teacher.probs].sort((a, b) => b.prob - a.prob) : teacher.probs;
  const shown = many && !open ? ordered.slice(0, TEACHER_TOP) : ordered;
  const chosen = (labelId: number, prob: number): boolean =>
    multi ? prob >= MULTI_LABEL_THRESHOLD : labelId === teacher.predictedLabelId;
  return (
    <Paper withBorder p="sm">
      <Title order={5} mb={4}>
        {t('teacher')}
      </Title>
      {multi && (
        <Text size="xs" c="dimmed" mb={6}>
          {t('teacherIndependent')}
        </Text>
      )}
      <Stack gap={6} data-testid="teacher-view">
        {shown.map((p) => (
          <div key={p.labelId} data-testid="teacher-bar" data-label={p.name}>
            <Group justify="space-between" gap={4} wrap="nowrap">
              <Text size="sm" fw={chosen(p.labelId, p.prob) ? 700 : 400} truncate>
                {p.name}
              </Text>
              <Text size="sm">{(p.prob * 100).toFixed(1)}%</Text>
            </Group>
            <Progress value={p.prob * 100} color={colourOf(p.labelId)} />
          </div>
        ))}
        {many && (
          <Button
            variant="subtle"
            size="compact-xs"
            onClick={() => setOpen((o) => !o)}
            data-testid="teacher-more"
          >
            {open ? t('teacherFewer') : t('teacherMore', { count: ordered.length - TEACHER_TOP })}
          </Button>
        )}
        {teacher.reasoning && (
          <Text size="sm" c="dimmed" style={{ whiteSpace: 'pre-wrap' }} data-testid="teacher-reasoning">
            {teacher.reasoning}
          </Text>
        )}
      </Stack>
    </Paper>
  );
});
