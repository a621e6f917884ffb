import { ActionIcon, Alert, Button, ColorInput, Group, Stack, Table, Text, TextInput } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { REVIEW_RESERVED_KEYS, type LabelInfo } from '../../../../shared/dataset';
import { call, errorText } from '../../api';

interface Props {
  readonly projectId: number;
  readonly labels: readonly LabelInfo[];
  readonly onChanged: () => void;
}

interface Draft {
  id?: number;
  name: string;
  description: string;
  color: string;
  hotkey: string;
  count: number;
}

function toDrafts(labels: readonly LabelInfo[]): Draft[] {
  return labels.map((l) => ({
    id: l.id,
    name: l.name,
    description: l.description,
    color: l.color ?? '',
    hotkey: l.hotkey ?? '',
    count: l.count,
  }));
}

interface RowErrors {
  readonly name: string | null;
  readonly hotkey: string | null;
}

/** What the core would refuse, found before saving so that each row says what is wrong with it. */
function rowErrors(
  drafts: readonly Draft[],
  t: (key: string, o?: Record<string, string>) => string,
): RowErrors[] {
  const names = new Map<string, number>();
  const keys = new Map<string, number>();
  for (const d of drafts) {
    const n = d.name.trim().toLowerCase();
    if (n) names.set(n, (names.get(n) ?? 0) + 1);
    const k = d.hotkey.toLowerCase();
    if (k) keys.set(k, (keys.get(k) ?? 0) + 1);
  }
  return drafts.map((d) => {
    const n = d.name.trim().toLowerCase();
    const k = d.hotkey.toLowerCase();
    const use = k ? REVIEW_RESERVED_KEYS[k] : undefined;
    return {
      name: n && (names.get(n) ?? 0) > 1 ? t('labels.nameTwice') : null,
      hotkey: use
        ? t('labels.keyReserved', { key: d.hotkey, use: t(`labels.keyUse.${use}`) })
        : k && (keys.get(k) ?? 0) > 1
          ? t('labels.keyTwice')
          : null,
    };
  });
}

/** The label set: names, the one-line descriptions the teacher reads, colours and keys. */
export function LabelsPanel({ projectId, labels, onChanged }: Props): React.JSX.Element {
  const { t } = useTranslation('dataset');
  const [drafts, setDrafts] = useState<Draft[]>(() => toDrafts(labels));
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  useEffect(() => setDrafts(toDrafts(labels)), [labels]);

  const edit = (i: number, patch: Partial<Draft>): void =>
    setDrafts((d) => d.map((x, j) => (j === i ? { ...x, ...patch } : x)));

  const run = async (fn: () => Promise<unknown>, ok: string): Promise<void> => {
    try {
      await fn();
      setMessage({ ok: true, text: ok });
      onChanged();
    } catch (e) {
      setMessage({ ok: false, text: errorText(e) });
    }
  };

  const errors = rowErrors(drafts, t);
  const invalid = errors.some((e) => e.name || e.hotkey);

  const save = (): Promise<void> =>
    invalid
      ? Promise.resolve(setMessage({ ok: false, text: t('labels.fixFirst') }))
      : run(
          () =>
            call('dataset.saveLabels', {
              projectId,
              labels: drafts
                .filter((d) => d.name.trim())
                .map((d) => ({
                  id: d.id,
                  name: d.name.trim(),
                  description: d.description.trim(),
                  color: d.color || null,
                  hotkey: d.hotkey || null,
                })),
            }),
          t('labels.saved'),
        );

  return (
    <Stack data-testid="labels-panel">
      <Text size="sm" c="dimmed">
        {t('labels.intro')}
      </Text>
      {drafts.length === 0 && <Text>{t('labels.empty')}</Text>}
      {drafts.length > 0 && (
        <Table withTableBorder>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('labels.name')}</Table.Th>
              <Table.Th>{t('labels.description')}</Table.Th>
              <Table.Th>{t('labels.color')}</Table.Th>
              <Table.Th>{t('labels.hotkey')}</Table.Th>
              <Table.Th>{t('labels.count')}</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {drafts.map((d, i) => (
              <Table.Tr key={d.id ?? `new-${i}`} data-testid="label-row" data-label-name={d.name}>
                <Table.Td>
                  <TextInput
                    value={d.name}
                    onChange={(e) => edit(i, { name: e.currentTarget.value })}
                    aria-label={t('labels.name')}
                    error={errors[i]?.name}
                    data-testid="label-name"
                  />
                </Table.Td>
                <Table.Td style={{ width: '45%' }}>
                  <TextInput
                    value={d.description}
                    onChange={(e) => edit(i, { description: e.currentTarget.value })}
                    aria-label={t('labels.description')}
                    data-testid="label-description"
                  />
                </Table.Td>
                <Table.Td>
                  <ColorInput
                    value={d.color}
                    onChange={(v) => edit(i, { color: v })}
                    aria-label={t('labels.color')}
                    w={130}
                  />
                </Table.Td>
                <Table.Td>
                  <TextInput
                    value={d.hotkey}
                    maxLength={1}
                    onChange={(e) => edit(i, { hotkey: e.currentTarget.value })}
                    aria-label={t('labels.hotkey')}
                    w={errors[i]?.hotkey ? 220 : 50}
                    error={errors[i]?.hotkey}
                    data-testid="label-hotkey"
                  />
                </Table.Td>
                <Table.Td>{d.count}</Table.Td>
                <Table.Td>
                  <ActionIcon
                    variant="subtle"
                    color="red"
                    aria-label={t('labels.delete')}
                    onClick={() =>
                      d.id === undefined
                        ? setDrafts((x) => x.filter((_v, j) => j !== i))
                        : void run(
                            () => call('dataset.deleteLabel', { projectId, labelId: d.id as number }),
                            t('labels.saved'),
                          )
                    }
                  >
                    <IconTrash size={16} />
                  </ActionIcon>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Group>
        <Button
          variant="light"
          leftSection={<IconPlus size={16} />}
          onClick={() =>
            setDrafts((d) => [...d, { name: '', description: '', color: '', hotkey: '', count: 0 }])
          }
          data-testid="label-add"
        >
          {t('labels.add')}
        </Button>
        <Button onClick={() => void save()} data-testid="labels-save">
          {t('labels.save')}
        </Button>
      </Group>
      {message && (
        <Alert color={message.ok ? 'teal' : 'red'} data-testid="labels-message">
          {message.text}
        </Alert>
      )}
    </Stack>
  );
}
