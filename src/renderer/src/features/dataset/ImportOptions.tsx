import { Checkbox, Group, Radio, ScrollArea, Select, Table, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import {
  ENCODINGS,
  type BadRow,
  type Encoding,
  type ImportPreview,
  type MultiLabelOptionsInput,
} from '../../../../shared/dataset';
import { TableHeader } from '../../components/TableHeader';
import { MultiLabelImport } from './MultiLabelImport';

/** The columns an import reads: the text (required), and the label, id and split when the file has them. */
export interface ImportColumns {
  readonly text: string | null;
  readonly label: string | null;
  readonly id: string | null;
  readonly split: string | null;
}

/** The optional columns: role, name, hint, width of the select. */
const OPTIONAL_COLUMNS = [
  ['label', 'import.labelColumn', null, 220],
  ['id', 'import.idColumn', null, 220],
  ['split', 'import.splitColumn', 'import.splitColumnHint', 260],
] as const;

/** The columns the preview suggests, keeping those the person chose that the file still has. */
export function suggestedColumns(previous: ImportColumns, p: ImportPreview): ImportColumns {
  const keep = (c: string | null, suggested: string | null): string | null =>
    c && p.columns.includes(c) ? c : suggested;
  return {
    text: keep(previous.text, p.suggested.text),
    label: keep(previous.label, p.suggested.label),
    id: keep(previous.id, p.suggested.id),
    split: keep(previous.split, p.suggested.split),
  };
}

export const NO_COLUMNS: ImportColumns = { text: null, label: null, id: null, split: null };

export function BadRowsTable({ rows }: { rows: readonly BadRow[] }): React.JSX.Element {
  const { t } = useTranslation('dataset');
  return (
    <Table data-testid="bad-rows" striped withTableBorder>
      <TableHeader columns={[t('import.file'), t('import.line'), t('import.problem')]} />
      <Table.Tbody>
        {rows.map((b, i) => (
          <Table.Tr key={i}>
            <Table.Td>{b.file}</Table.Td>
            <Table.Td>{b.line}</Table.Td>
            <Table.Td>{b.message}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/**
 * How a previewed file is read and imported: its encoding, delimiter and header row (each change reads it again),
 * which columns are the text, label, id and split, the label sets of a multi-label project, what to do with extra
 * columns and bad rows, and its first rows.
 */
export function ImportOptions({
  preview,
  reload,
  columns,
  onColumns,
  multiLabel,
  onLabelSets,
  keepExtras,
  onKeepExtras,
  onBadRow,
  onBadRowChange,
}: {
  preview: ImportPreview;
  reload: (patch: { encoding?: Encoding; delimiter?: string; hasHeader?: boolean }) => void;
  columns: ImportColumns;
  onColumns: (c: ImportColumns) => void;
  multiLabel: boolean;
  onLabelSets: (o: MultiLabelOptionsInput | null) => void;
  keepExtras: boolean;
  onKeepExtras: (keep: boolean) => void;
  onBadRow: 'skip' | 'abort';
  onBadRowChange: (v: 'skip' | 'abort') => void;
}): React.JSX.Element {
  const { t } = useTranslation('dataset');
  const columnOptions = preview.columns.map((c) => ({ value: c, label: c }));
  const optional = [{ value: '', label: t('import.none') }, ...columnOptions];
  return (
    <>
      <Group align="flex-end">
        {preview.format !== 'xlsx' && preview.format !== 'folder' && (
          <Select
            label={t('import.encoding')}
            description={t('import.encodingDetected', { encoding: preview.detectedEncoding })}
            data={[...ENCODINGS]}
            value={preview.encoding}
            allowDeselect={false}
            onChange={(v) => v && reload({ encoding: v as Encoding })}
            data-testid="import-encoding"
            w={180}
          />
        )}
        {preview.format === 'csv' && (
          <Select
            label={t('import.delimiter')}
            data={[
              { value: ',', label: t('import.comma') },
              { value: ';', label: t('import.semicolon') },
              { value: '\t', label: t('import.tab') },
              { value: '|', label: t('import.pipe') },
            ]}
            value={preview.delimiter}
            allowDeselect={false}
            onChange={(v) => v && reload({ delimiter: v })}
            w={160}
          />
        )}
        {(preview.format === 'csv' || preview.format === 'xlsx') && (
          <Checkbox
            label={t('import.hasHeader')}
            description={
              preview.headerDetected && !preview.hasHeader ? t('import.noHeaderDetected') : undefined
            }
            checked={preview.hasHeader}
            onChange={(e) => reload({ hasHeader: e.currentTarget.checked })}
            data-testid="import-has-header"
          />
        )}
      </Group>
      {preview.quoted && (
        <Text size="sm" c="dimmed" data-testid="import-quoted">
          {t('import.quotedTsv')}
        </Text>
      )}
      <Group align="flex-end">
        <Select
          label={t('import.textColumn')}
          data={columnOptions}
          value={columns.text}
          onChange={(v) => onColumns({ ...columns, text: v })}
          allowDeselect={false}
          data-testid="map-text"
          w={220}
        />
        {OPTIONAL_COLUMNS.map(([role, label, hint, w]) => (
          <Select
            key={role}
            label={t(label)}
            description={hint ? t(hint) : undefined}
            data={optional}
            value={columns[role] ?? ''}
            onChange={(v) => onColumns({ ...columns, [role]: v || null })}
            data-testid={`map-${role}`}
            w={w}
          />
        ))}
      </Group>
      {multiLabel && (
        <MultiLabelImport preview={preview} labelColumn={columns.label} onChange={onLabelSets} />
      )}
      <Checkbox
        label={t('import.keepExtras')}
        checked={keepExtras}
        onChange={(e) => onKeepExtras(e.currentTarget.checked)}
      />
      <Radio.Group
        label={t('import.badRows')}
        value={onBadRow}
        onChange={(v) => onBadRowChange(v as 'skip' | 'abort')}
      >
        <Group mt={4}>
          <Radio value="abort" label={t('import.abort')} data-testid="bad-abort" />
          <Radio value="skip" label={t('import.skip')} data-testid="bad-skip" />
        </Group>
      </Radio.Group>
      <Title order={5}>{t('import.preview')}</Title>
      <ScrollArea>
        <Table striped withTableBorder data-testid="import-preview">
          <TableHeader columns={preview.columns} />
          <Table.Tbody>
            {preview.rows.slice(0, 8).map((r, i) => (
              <Table.Tr key={i}>
                {r.map((v, j) => (
                  <Table.Td key={j} style={{ maxWidth: 420 }}>
                    <Text size="sm" lineClamp={2}>
                      {v}
                    </Text>
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollArea>
      {preview.badRows.length > 0 && (
        <>
          <Title order={6}>{t('import.previewBad')}</Title>
          <BadRowsTable rows={preview.badRows} />
        </>
      )}
    </>
  );
}
