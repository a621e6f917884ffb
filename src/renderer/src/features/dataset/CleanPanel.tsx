import {
  Alert,
  Button,
  Checkbox,
  Group,
  NumberInput,
  Paper,
  Slider,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CleanOptions, type CleanOptionsInput, type CleanPreview } from '../../../../shared/dataset';
import { call, errorText, useAction } from '../../api';
import { MaskHighlight, useMaskTokens } from './MaskHighlight';
import { MaskPanel } from './MaskPanel';

interface Props {
  readonly projectId: number;
  readonly onChanged: () => void;
}

/** Cleaning: options, a preview of what would change, apply, and undo. */
export function CleanPanel({ projectId, onChanged }: Props): React.JSX.Element {
  const { t } = useTranslation('dataset');
  // The schema's defaults, as `distillery data clean` uses them.
  const [options, setOptions] = useState<Required<CleanOptionsInput>>(() => CleanOptions.parse({}));
  const [preview, setPreview] = useState<CleanPreview | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const tokens = useMaskTokens(projectId);

  const set = (patch: Partial<typeof options>): void => {
    setOptions((o) => ({ ...o, ...patch }));
    setPreview(null);
  };

  const run = async (what: 'preview' | 'apply' | 'undo'): Promise<void> => {
    setBusy(true);
    setMessage(null);
    try {
      if (what === 'preview') setPreview(await call('dataset.cleanPreview', { projectId, options }));
      else if (what === 'apply') {
        setPreview(await call('dataset.cleanApply', { projectId, options }));
        setMessage({ ok: true, text: t('clean.applied') });
        onChanged();
      } else {
        const r = await call('dataset.cleanUndo', { projectId });
        setPreview(null);
        const skipped = r.lockedTestSkipped
          ? ' ' + t('clean.lockedSkipped', { count: r.lockedTestSkipped })
          : '';
        setMessage({ ok: true, text: t('clean.undone', { count: r.restored }) + skipped });
        onChanged();
      }
    } catch (e) {
      setMessage({ ok: false, text: errorText(e) });
    } finally {
      setBusy(false);
    }
  };

  const action = useAction(run);
  return (
    <Stack data-testid="clean-panel">
      <Text size="sm" c="dimmed">
        {t('clean.intro')}
      </Text>
      <Checkbox
        label={t('clean.nfkc')}
        checked={options.nfkc}
        onChange={(e) => set({ nfkc: e.currentTarget.checked })}
      />
      <Checkbox
        label={t('clean.whitespace')}
        checked={options.whitespace}
        onChange={(e) => set({ whitespace: e.currentTarget.checked })}
      />
      <Checkbox
        label={t('clean.dropEmpty')}
        checked={options.dropEmpty}
        onChange={(e) => set({ dropEmpty: e.currentTarget.checked })}
      />
      <Group>
        <NumberInput
          label={t('clean.minChars')}
          value={options.minChars}
          min={0}
          onChange={(v) => set({ minChars: typeof v === 'number' ? v : 0 })}
          w={320}
        />
        <NumberInput
          label={t('clean.maxChars')}
          value={options.maxChars}
          min={0}
          onChange={(v) => set({ maxChars: typeof v === 'number' ? v : 0 })}
          w={320}
        />
      </Group>
      <Checkbox
        label={t('clean.exact')}
        checked={options.exactDuplicates}
        onChange={(e) => set({ exactDuplicates: e.currentTarget.checked })}
        data-testid="clean-exact"
      />
      <Checkbox
        label={t('clean.near')}
        checked={options.nearDuplicates}
        onChange={(e) => set({ nearDuplicates: e.currentTarget.checked })}
        data-testid="clean-near"
      />
      {options.nearDuplicates && (
        <Stack gap={2} maw={400}>
          <Text size="sm">
            {t('clean.threshold')}: {options.nearThreshold.toFixed(2)}
          </Text>
          <Slider
            min={0.5}
            max={1}
            step={0.01}
            value={options.nearThreshold}
            onChange={(v) => set({ nearThreshold: v })}
          />
        </Stack>
      )}
      <Checkbox
        label={t('clean.mask')}
        checked={options.mask}
        onChange={(e) => set({ mask: e.currentTarget.checked })}
      />
      <Group>
        <Button
          variant="light"
          onClick={() => action.run('preview')}
          loading={busy}
          data-testid="clean-preview"
        >
          {t('clean.preview')}
        </Button>
        <Button onClick={() => action.run('apply')} disabled={!preview || busy} data-testid="clean-apply">
          {t('clean.apply')}
        </Button>
        <Button variant="default" onClick={() => action.run('undo')} disabled={busy} data-testid="clean-undo">
          {t('clean.undo')}
        </Button>
      </Group>
      {message && (
        <Alert color={message.ok ? 'teal' : 'red'} data-testid="clean-message">
          {message.text}
        </Alert>
      )}
      {preview && (
        <Paper withBorder p="sm" data-testid="clean-result" data-excluded={preview.excluded}>
          <Text size="sm">
            {t('clean.result', {
              changed: preview.changedByNormalisation,
              masked: preview.masked,
              excluded: preview.excluded,
              empty: preview.empty,
              short: preview.tooShort,
              long: preview.tooLong,
              dup: preview.exactDuplicates,
              near: preview.nearDuplicates,
            })}
          </Text>
          {preview.lockedTestSkipped > 0 && (
            <Text size="sm" c="orange" data-testid="clean-locked-skipped">
              {t('clean.lockedSkipped', { count: preview.lockedTestSkipped })}
            </Text>
          )}
          {preview.samples.length > 0 && (
            <>
              <Title order={6} mt="sm">
                {t('clean.samples')}
              </Title>
              <Table>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('clean.before')}</Table.Th>
                    <Table.Th>{t('clean.after')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {preview.samples.slice(0, 5).map((s) => (
                    <Table.Tr key={s.id}>
                      <Table.Td>{s.before}</Table.Td>
                      <Table.Td>
                        <MaskHighlight text={s.after} tokens={tokens} />
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </>
          )}
          {preview.clusters.length > 0 && (
            <>
              <Title order={6} mt="sm">
                {t('clean.clusters')}
              </Title>
              {preview.clusters.slice(0, 10).map((c, i) => (
                <Paper key={i} withBorder p="xs" mt={4} data-testid="clean-cluster">
                  {c.map((x, j) => (
                    <Text key={x.id} size="sm" c={j === 0 ? undefined : 'dimmed'} lineClamp={1}>
                      #{x.id} {x.text}
                    </Text>
                  ))}
                </Paper>
              ))}
            </>
          )}
        </Paper>
      )}
      <MaskPanel projectId={projectId} />
    </Stack>
  );
}
