import { Alert, Badge, Button, Stack, Table, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useQuery } from '../api';

interface Props {
  readonly projectId: number;
  /** Changes when the data changed (import, clean, split): the check runs again. */
  readonly version?: number;
}

/**
 * Warns, on the Data and Evaluate steps, when test documents are also in the training or validation data, says why
 * that inflates the score, and lists them on request. Shows nothing when there is no leak.
 */
export function LeakageAlert({ projectId, version = 0 }: Props): React.JSX.Element | null {
  const { t } = useTranslation('dataset');
  const leakage = useQuery('dataset.leakage', { projectId });
  const [open, setOpen] = useState(false);
  const seen = useRef(version);
  const { reload } = leakage;
  useEffect(() => {
    if (seen.current === version) return;
    seen.current = version;
    reload();
  }, [version, reload]);

  const r = leakage.data;
  if (!r) return null;
  const count = r.exact + r.near;
  if (count === 0) return null;
  return (
    <Alert
      color="orange"
      icon={<IconAlertTriangle />}
      title={t('leakage.title')}
      data-testid="leakage-warning"
      data-count={count}
      data-exact={r.exact}
      data-near={r.near}
    >
      <Stack gap="xs">
        <Text size="sm">
          {t('leakage.summary', { count, total: r.testTotal, exact: r.exact, near: r.near })}
        </Text>
        <Text size="sm">{t('leakage.why')}</Text>
        <Button
          size="xs"
          variant="light"
          color="orange"
          w="fit-content"
          onClick={() => setOpen((o) => !o)}
          data-testid="leakage-show"
        >
          {open ? t('leakage.hide') : t('leakage.show')}
        </Button>
        {open && (
          <>
            <Table striped data-testid="leakage-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('leakage.test')}</Table.Th>
                  <Table.Th>{t('leakage.other')}</Table.Th>
                  <Table.Th>{t('leakage.kind')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {r.pairs.map((p) => (
                  <Table.Tr key={p.testId} data-testid="leakage-pair" data-kind={p.kind}>
                    <Table.Td style={{ maxWidth: 420, overflowWrap: 'anywhere' }}>
                      <Text size="xs" c="dimmed">
                        #{p.testId}
                      </Text>
                      <Text size="sm">{p.testText}</Text>
                    </Table.Td>
                    <Table.Td style={{ maxWidth: 420, overflowWrap: 'anywhere' }}>
                      <Text size="xs" c="dimmed">
                        {t(`leakage.split_${p.otherSplit}`, { id: p.otherId })}
                      </Text>
                      <Text size="sm">{p.otherText}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Badge color={p.kind === 'exact' ? 'red' : 'orange'} variant="light">
                        {t(`leakage.${p.kind}`)}
                      </Badge>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            {r.pairs.length < count && (
              <Text size="xs" c="dimmed">
                {t('leakage.more', { shown: r.pairs.length, count })}
              </Text>
            )}
          </>
        )}
      </Stack>
    </Alert>
  );
}
