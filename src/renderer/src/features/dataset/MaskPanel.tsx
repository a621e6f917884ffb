import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Group,
  Paper,
  SegmentedControl,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
  Textarea,
  Title,
} from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { MaskPreview, MaskRule } from '../../../../shared/masking';
import { call, errorText, useAction, useQuery } from '../../api';
import { MaskHighlight, useMaskRuleName } from './MaskHighlight';

interface Props {
  readonly projectId: number;
}

/** The project's masking rules: switch built-ins, add a names list or an expression, preview counts per rule. */
export function MaskPanel({ projectId }: Props): React.JSX.Element {
  const { t } = useTranslation('dataset');
  const ruleName = useMaskRuleName();
  const rulesQuery = useQuery('dataset.maskRules', { projectId });
  const [rules, setRules] = useState<MaskRule[] | null>(null);
  const shown = rules ?? rulesQuery.data ?? [];
  const [error, setError] = useState<string | null>(null);
  const [preview, setPreview] = useState<MaskPreview | null>(null);
  const [kind, setKind] = useState<'names' | 'regex'>('names');
  const [name, setName] = useState('');
  const [names, setNames] = useState('');
  const [pattern, setPattern] = useState('');
  const [caseInsensitive, setCaseInsensitive] = useState(false);
  const [replacement, setReplacement] = useState('');
  const [sample, setSample] = useState('');
  const tried = useQuery('dataset.maskText', sample ? { text: sample, projectId } : null);

  const change = async (run: () => Promise<MaskRule[]>): Promise<boolean> => {
    setError(null);
    try {
      setRules(await run());
      setPreview(null);
      return true;
    } catch (e) {
      setError(errorText(e));
      return false;
    }
  };
  const add = useAction(async () => {
    const added = await change(() =>
      call('dataset.maskAddRule', {
        projectId,
        rule:
          kind === 'names'
            ? {
                kind,
                name,
                names: names.split(/\r?\n|[,，;；]/).filter((n) => n.trim()),
                ...(replacement ? { replacement } : {}),
              }
            : { kind, name, pattern, caseInsensitive, ...(replacement ? { replacement } : {}) },
      }),
    );
    if (added) {
      setName('');
      setNames('');
      setPattern('');
      setReplacement('');
    }
  });
  const runPreview = useAction(async () => {
    setError(null);
    try {
      setPreview(await call('dataset.maskPreview', { projectId }));
    } catch (e) {
      setError(errorText(e));
    }
  });
  const countOf = new Map(preview?.perRule.map((r) => [r.rule, r]) ?? []);

  return (
    <Stack data-testid="mask-panel" gap="sm">
      <Title order={5}>{t('mask.title')}</Title>
      <Text size="sm" c="dimmed">
        {t('mask.intro')}
      </Text>
      <Table data-testid="mask-rules">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('mask.on')}</Table.Th>
            <Table.Th>{t('mask.rule')}</Table.Th>
            <Table.Th>{t('mask.replacement')}</Table.Th>
            <Table.Th>{t('mask.count')}</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {shown.map((r) => {
            const c = countOf.get(r.name);
            return (
              <Table.Tr key={r.name} data-testid="mask-rule" data-rule={r.name}>
                <Table.Td>
                  <Switch
                    checked={r.enabled}
                    aria-label={ruleName(r.name)}
                    data-testid="mask-rule-switch"
                    onChange={(e) => {
                      const enabled = e.currentTarget.checked;
                      void change(() => call('dataset.maskSetEnabled', { projectId, name: r.name, enabled }));
                    }}
                  />
                </Table.Td>
                <Table.Td>
                  <Text size="sm" fw={500}>
                    {ruleName(r.name)}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {r.kind === 'builtin'
                      ? t(`maskRule.${r.name}`, { defaultValue: r.description })
                      : r.kind === 'names'
                        ? t('mask.namesDescription', { count: r.names?.length ?? 0 })
                        : t('mask.regexDescription', { pattern: r.pattern })}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <code>{r.replacement}</code>
                </Table.Td>
                <Table.Td data-testid="mask-rule-count">
                  {c ? t('mask.countValue', { count: c.matches, documents: c.documents }) : ''}
                </Table.Td>
                <Table.Td>
                  {r.kind !== 'builtin' && (
                    <Button
                      size="compact-xs"
                      variant="subtle"
                      color="red"
                      data-testid="mask-rule-remove"
                      onClick={() =>
                        void change(() => call('dataset.maskRemoveRule', { projectId, name: r.name }))
                      }
                    >
                      {t('mask.remove')}
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
      <Paper withBorder p="sm">
        <Stack gap="xs">
          <Title order={6}>{t('mask.add')}</Title>
          <SegmentedControl
            value={kind}
            onChange={(v) => setKind(v === 'regex' ? 'regex' : 'names')}
            data={[
              { value: 'names', label: t('mask.kindNames') },
              { value: 'regex', label: t('mask.kindRegex') },
            ]}
            data-testid="mask-add-kind"
          />
          <Group grow align="flex-start">
            <TextInput
              label={t('mask.name')}
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              data-testid="mask-add-name"
            />
            <TextInput
              label={t('mask.replacementOptional')}
              value={replacement}
              placeholder={name ? `[${name.toUpperCase().replace(/\s+/g, '_')}]` : ''}
              onChange={(e) => setReplacement(e.currentTarget.value)}
              data-testid="mask-add-replacement"
            />
          </Group>
          {kind === 'names' ? (
            <Textarea
              label={t('mask.names')}
              description={t('mask.namesHelp')}
              value={names}
              onChange={(e) => setNames(e.currentTarget.value)}
              autosize
              minRows={3}
              maxRows={10}
              data-testid="mask-add-names"
            />
          ) : (
            <>
              <TextInput
                label={t('mask.pattern')}
                description={t('mask.patternHelp')}
                value={pattern}
                onChange={(e) => setPattern(e.currentTarget.value)}
                styles={{ input: { fontFamily: 'monospace' } }}
                data-testid="mask-add-pattern"
              />
              <Checkbox
                label={t('mask.caseInsensitive')}
                checked={caseInsensitive}
                onChange={(e) => setCaseInsensitive(e.currentTarget.checked)}
              />
            </>
          )}
          <Group>
            <Button
              onClick={() => add.run()}
              loading={add.pending}
              disabled={!name.trim() || (kind === 'names' ? !names.trim() : !pattern)}
              data-testid="mask-add-submit"
            >
              {t('mask.addButton')}
            </Button>
          </Group>
        </Stack>
      </Paper>
      {error && (
        <Alert color="red" data-testid="mask-error">
          {error}
        </Alert>
      )}
      <Group>
        <Button
          variant="light"
          onClick={() => runPreview.run()}
          loading={runPreview.pending}
          data-testid="mask-preview"
        >
          {t('mask.preview')}
        </Button>
        {preview && (
          <Text size="sm" c="dimmed" data-testid="mask-preview-summary">
            {t('mask.previewSummary', { documents: preview.documents, total: preview.total })}
          </Text>
        )}
      </Group>
      {preview && preview.samples.length > 0 && (
        <Stack gap={4} data-testid="mask-samples">
          {preview.samples.slice(0, 5).map((s) => (
            <Paper key={s.id} withBorder p="xs">
              <Text size="sm" style={{ whiteSpace: 'pre-wrap' }} lineClamp={4} data-testid="mask-sample">
                <Badge size="xs" variant="light" mr={6}>
                  #{s.id}
                </Badge>
                <MaskHighlight text={s.text} spans={s.spans} />
              </Text>
            </Paper>
          ))}
        </Stack>
      )}
      <Textarea
        label={t('clean.tryIt')}
        data-testid="mask-try"
        value={sample}
        onChange={(e) => setSample(e.currentTarget.value)}
        autosize
        minRows={2}
      />
      {sample && tried.data && (
        <Text size="sm" data-testid="mask-output">
          <MaskHighlight text={tried.data.text} spans={tried.data.spans} /> (
          {t('clean.masked', { count: tried.data.masked })})
        </Text>
      )}
      {sample && tried.error && <Alert color="red">{tried.error.message}</Alert>}
    </Stack>
  );
}
