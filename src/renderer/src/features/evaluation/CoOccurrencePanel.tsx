import { Group, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { MultiLabelEvaluation } from '../../../../shared/multilabelEvaluation';
import { ChartCard } from '../../components/ChartCard';
import { HeatTable } from './Charts';

/** A row's cell as a share of the row label's gold documents (the co-occurrence diagonal). */
function share(
  m: ReadonlyArray<readonly number[]>,
  support: readonly number[],
  i: number,
  j: number,
): number {
  return support[i] > 0 ? Math.min(1, m[i][j] / support[i]) : 0;
}

/**
 * Label co-occurrence of a multi-label evaluation: which labels people give together on the gold test set, and for
 * each gold label which labels the model predicted (found on the diagonal, added alongside elsewhere).
 */
export function CoOccurrencePanel({
  evaluation: e,
}: {
  evaluation: MultiLabelEvaluation;
}): React.JSX.Element {
  const { t } = useTranslation('evaluation');
  const support = e.perLabel.map((l) => l.support);
  const matrices = [
    { key: 'gold', title: t('multi.coGold'), help: t('multi.coGoldHelp'), m: e.coOccurrence },
    {
      key: 'predicted',
      title: t('multi.coPredicted'),
      help: t('multi.coPredictedHelp'),
      m: e.predictedVsTrue,
    },
  ] as const;
  return (
    <Group align="flex-start">
      {matrices.map(({ key, title, help, m }) => (
        <ChartCard key={key} title={title} testId={`co-occurrence-${key}`}>
          <Stack gap="xs">
            <Text size="sm" c="dimmed" maw={520}>
              {help}
            </Text>
            <HeatTable
              labels={e.labels}
              corner={t('multi.rowLabel')}
              cell={(i, j) => String(m[i][j])}
              share={(i, j) => share(m, support, i, j)}
              testId={`co-occurrence-${key}-matrix`}
              cellTestId="co-occurrence-cell"
            />
          </Stack>
        </ChartCard>
      ))}
    </Group>
  );
}
