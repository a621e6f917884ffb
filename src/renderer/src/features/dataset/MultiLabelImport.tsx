import { Alert, Group, MultiSelect, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  MULTI_LABEL_FORMATS,
  type ImportPreview,
  type MultiLabelFormat,
  type MultiLabelOptionsInput,
} from '../../../../shared/dataset';
import { call, errorText } from '../../api';

/**
 * A multi-label project's import: how the file gives each document's labels (a delimited list, a JSON array, or one
 * 0/1 column per label) and the previewed rows' label sets as the import will read them.
 */
export function MultiLabelImport({
  preview,
  labelColumn,
  onChange,
}: {
  preview: ImportPreview;
  labelColumn: string | null;
  onChange: (opts: MultiLabelOptionsInput) => void;
}): React.JSX.Element {
  const { t } = useTranslation('dataset');
  const [format, setFormat] = useState<MultiLabelFormat>(
    labelColumn || preview.binaryColumns.length === 0 ? 'auto' : 'columns',
  );
  const [delimiter, setDelimiter] = useState('|');
  const [columns, setColumns] = useState<string[]>([...preview.binaryColumns]);
  const [sets, setSets] = useState<ImportPreview['labelSets'] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const opts: MultiLabelOptionsInput =
    format === 'columns' ? { format, columns } : { format, delimiter: delimiter || '|' };
  const key = JSON.stringify([
    preview.path,
    preview.encoding,
    preview.delimiter,
    preview.hasHeader,
    labelColumn,
    opts,
  ]);
  useEffect(() => {
    onChange(opts);
    if (format !== 'columns' && !labelColumn) {
      setSets(null);
      return;
    }
    let live = true;
    call('dataset.preview', {
      path: preview.path,
      encoding: preview.format === 'xlsx' ? undefined : preview.encoding,
      delimiter: preview.delimiter ?? undefined,
      hasHeader: preview.hasHeader,
      labelColumn,
      multiLabel: opts,
    })
      .then((p) => {
        if (!live) return;
        setSets(p.labelSets ?? null);
        setError(null);
      })
      .catch((e: unknown) => {
        if (!live) return;
        setSets(null);
        setError(errorText(e));
      });
    return () => {
      live = false;
    };
    // `key` holds everything the preview depends on.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  return (
    <Stack gap="xs" data-testid="multilabel-import">
      <Title order={6}>{t('multi.title')}</Title>
      <Text size="sm" c="dimmed">
        {t('multi.intro')}
      </Text>
      <Group align="flex-end">
        <Select
          label={t('multi.format')}
          data={MULTI_LABEL_FORMATS.map((f) => ({ value: f, label: t(`multi.formats.${f}`) }))}
          value={format}
          allowDeselect={false}
          onChange={(v) => v && setFormat(v as MultiLabelFormat)}
          data-testid="multilabel-format"
          w={260}
        />
        {format !== 'columns' && format !== 'json' && (
          <TextInput
            label={t('multi.delimiter')}
            value={delimiter}
            onChange={(e) => setDelimiter(e.currentTarget.value)}
            data-testid="multilabel-delimiter"
            w={120}
          />
        )}
        {format === 'columns' && (
          <MultiSelect
            label={t('multi.columns')}
            data={preview.columns.map((c) => ({ value: c, label: c }))}
            value={columns}
            onChange={setColumns}
            data-testid="multilabel-columns"
            w={420}
          />
        )}
      </Group>
      {format !== 'columns' && !labelColumn && (
        <Text size="sm" c="dimmed">
          {t('multi.chooseColumn')}
        </Text>
      )}
      {error && (
        <Alert color="red" data-testid="multilabel-error">
          {error}
        </Alert>
      )}
      {sets && (
        <Table withTableBorder data-testid="multilabel-preview">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('multi.row')}</Table.Th>
              <Table.Th>{t('multi.labels')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {sets.slice(0, 8).map((s, i) => (
              <Table.Tr key={i}>
                <Table.Td>{i + 1}</Table.Td>
                <Table.Td>
                  {'error' in s ? (
                    <Text size="sm" c="red">
                      {s.error}
                    </Text>
                  ) : s.names.length === 0 ? (
                    <Text size="sm" c="dimmed">
                      {t('multi.none')}
                    </Text>
                  ) : (
                    s.names.join(', ')
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
