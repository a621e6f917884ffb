import { Badge, Group, Stack, Table, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { SetAgreement } from '../../../../shared/review';

const fmt = (k: number | null): string => (k === null ? '—' : k.toFixed(3));

/**
 * Multi-label agreement: Krippendorff's alpha over whole label sets (MASI distance), then per label Cohen's kappa
 * for each pair of annotators and Fleiss' kappa over the documents all of them labelled.
 */
export function SetAgreementView({
  sets,
  annotators,
}: {
  readonly sets: SetAgreement;
  readonly annotators: readonly string[];
}): React.JSX.Element {
  const { t } = useTranslation('review');
  const pairs = sets.perLabel[0]?.pairs ?? [];
  return (
    <Stack gap="sm" data-testid="set-agreement">
      <Group>
        <Badge size="lg" variant="light" tt="none" data-testid="set-alpha">
          {t('alphaMasi', { value: fmt(sets.alpha) })}
        </Badge>
        <Text size="sm" c="dimmed">
          {t('alphaUnits', { count: sets.units })}
        </Text>
      </Group>
      <Text size="xs" c="dimmed">
        {t('alphaExplain')}
      </Text>
      <Table withTableBorder withColumnBorders w="auto" data-testid="per-label-agreement">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('labelCol')}</Table.Th>
            {pairs.map((p) => (
              <Table.Th key={`${p.a}/${p.b}`}>{t('kappaPair', { a: p.a, b: p.b })}</Table.Th>
            ))}
            {annotators.length > 2 && <Table.Th>{t('fleissCol')}</Table.Th>}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {sets.perLabel.map((l) => (
            <Table.Tr key={l.labelId} data-testid="label-agreement" data-label={l.name}>
              <Table.Th>{l.name}</Table.Th>
              {l.pairs.map((p) => (
                <Table.Td key={`${p.a}/${p.b}`}>{fmt(p.kappa)}</Table.Td>
              ))}
              {annotators.length > 2 && <Table.Td>{fmt(l.fleiss)}</Table.Td>}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}
