import { Group, Progress, Stack, Text } from '@mantine/core';
import { seriesColour } from '../../../../shared/palette';
import type { LabelDistribution } from '../../../../shared/teacher';

/** One example's label distribution as bars. */
export function DistributionBars({ d }: { d: LabelDistribution }): React.JSX.Element {
  return (
    <Stack gap={2} data-testid="teacher-distribution">
      {d.labels.map((l, k) => (
        <Group key={l.id} gap="xs" wrap="nowrap">
          <Text size="xs" w={110} truncate>
            {l.name}
          </Text>
          <Progress value={100 * d.probs[k]} color={seriesColour(k)} flex={1} size="lg" />
          <Text size="xs" w={48} ta="right" data-testid="teacher-prob">
            {(100 * d.probs[k]).toFixed(1)}%
          </Text>
        </Group>
      ))}
    </Stack>
  );
}
