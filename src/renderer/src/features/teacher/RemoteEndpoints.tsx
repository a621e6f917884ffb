import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Checkbox,
  Group,
  List,
  NumberInput,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { IconPlus, IconShieldCheck, IconX } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { EndpointCheck, EndpointRate } from '../../../../shared/teacher';
import { call, errorText, useAction } from '../../api';

export interface EndpointDraft {
  url: string;
  model: string;
  concurrency: number;
  chatTemplate?: string;
}

const toRequest = (e: EndpointDraft): EndpointDraft => ({
  url: e.url.trim(),
  model: e.model.trim(),
  concurrency: e.concurrency,
  ...(e.chatTemplate?.trim() ? { chatTemplate: e.chatTemplate } : {}),
});

/** What a check found: the engine, what it supports, the self-check, or why the endpoint is refused. */
function CheckResult({ check }: { check: EndpointCheck }): React.JSX.Element {
  const { t } = useTranslation('teacher');
  const engine = check.engine ? t(`engine_${check.engine}`) : t('engineNone');
  const cap = (v: boolean | null): string => (v === null ? t('capUntried') : v ? t('capYes') : t('capNo'));
  return (
    <Alert
      mt={4}
      color={check.accepted ? 'green' : 'red'}
      data-testid="endpoint-check"
      data-accepted={String(check.accepted)}
      title={
        check.accepted
          ? t('endpointAccepted', { engine, version: check.engineVersion ?? '' })
          : t('endpointRefused', { engine })
      }
    >
      {!check.accepted && check.refusal && (
        <Text size="sm" data-testid="endpoint-refusal">
          {t(`refusal_${check.refusal}`)}
        </Text>
      )}
      {check.accepted && check.method && <Text size="sm">{t(`method_${check.method}`)}</Text>}
      {check.engine && check.engine !== 'ollama' && (
        <List size="xs" mt={4}>
          <List.Item>
            {t('capTokenize')}: {cap(check.capabilities.tokenize)}
          </List.Item>
          {check.engine === 'vllm' && (
            <List.Item>
              {t('capPromptLogprobs')}: {cap(check.capabilities.promptLogprobs)}
            </List.Item>
          )}
          <List.Item>
            {t('capEcho')}: {cap(check.capabilities.echoPromptLogprobs)}
          </List.Item>
          {check.engine === 'llamacpp' && (
            <List.Item>
              {t('capNative')}: {cap(check.capabilities.nativeProbs)}
            </List.Item>
          )}
          <List.Item>
            {t('capGenerate')}: {cap(check.capabilities.generate)}
          </List.Item>
        </List>
      )}
      {check.selfCheck && (
        <Text size="xs" mt={4} data-testid="endpoint-self-check">
          {check.selfCheck.passed
            ? t('selfCheckPassed', {
                count: check.selfCheck.prompts,
                err: check.selfCheck.maxSumError.toExponential(1),
              })
            : t('selfCheckFailed')}
        </Text>
      )}
      {check.accepted && (
        <Text size="xs" mt={4}>
          {check.capacity !== null
            ? t('concurrencyReported', { used: check.concurrency, slots: check.capacity })
            : t('concurrencyYours', { used: check.concurrency })}
          {' · '}
          {t(check.templateSource === 'user' ? 'templateUser' : 'templateServer')}
          {check.contextSize !== null && <> · {t('serverContext', { count: check.contextSize })}</>}
        </Text>
      )}
      {check.reason && (
        <Text size="xs" c="dimmed" mt={4} data-testid="endpoint-reason">
          {check.reason}
        </Text>
      )}
    </Alert>
  );
}

/** One endpoint row: address, model, parallel requests, optional chat template, and its check. */
function EndpointRow({
  value,
  onChange,
  onRemove,
}: {
  value: EndpointDraft;
  onChange: (e: EndpointDraft) => void;
  onRemove: () => void;
}): React.JSX.Element {
  const { t } = useTranslation('teacher');
  const [check, setCheck] = useState<EndpointCheck | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [ownTemplate, setOwnTemplate] = useState(Boolean(value.chatTemplate));
  const key = JSON.stringify(toRequest(value));
  // A check says something only about the settings it was made with.
  useEffect(() => {
    setCheck(null);
  }, [key]);
  const run = useAction(async () => {
    setError(null);
    try {
      setCheck(await call('teacher.checkEndpoint', toRequest(value)));
    } catch (e) {
      setError(errorText(e));
    }
  });
  return (
    <Stack gap={2} mt={4} data-testid="endpoint-row">
      <Group gap="xs" align="flex-end">
        <TextInput
          flex={2}
          label={t('endpointUrl')}
          placeholder="http://gpu-server:8000"
          value={value.url}
          onChange={(ev) => onChange({ ...value, url: ev.currentTarget.value })}
          onBlur={() => value.url.trim() && !check && run.run()}
          data-testid="endpoint-url"
        />
        <TextInput
          flex={1}
          label={t('endpointModel')}
          placeholder={t('endpointModelAuto')}
          value={value.model}
          onChange={(ev) => onChange({ ...value, model: ev.currentTarget.value })}
        />
        <NumberInput
          w={130}
          label={t('concurrency')}
          min={1}
          max={64}
          value={value.concurrency}
          onChange={(v) => onChange({ ...value, concurrency: Number(v) || 1 })}
        />
        <Button
          variant="light"
          leftSection={<IconShieldCheck size={14} />}
          disabled={!value.url.trim()}
          loading={run.pending}
          onClick={() => run.run()}
          data-testid="endpoint-check-button"
        >
          {t('checkEndpoint')}
        </Button>
        <ActionIcon variant="subtle" color="red" aria-label={t('remove')} onClick={onRemove}>
          <IconX size={16} />
        </ActionIcon>
      </Group>
      <Checkbox
        size="xs"
        label={t('ownTemplate')}
        checked={ownTemplate}
        onChange={(ev) => {
          const on = ev.currentTarget.checked;
          setOwnTemplate(on);
          if (!on) onChange({ ...value, chatTemplate: undefined });
        }}
      />
      {ownTemplate && (
        <Textarea
          description={t('ownTemplateHint')}
          autosize
          minRows={2}
          maxRows={8}
          value={value.chatTemplate ?? ''}
          onChange={(ev) => onChange({ ...value, chatTemplate: ev.currentTarget.value })}
          data-testid="endpoint-template"
        />
      )}
      {error && (
        <Text size="sm" c="red">
          {error}
        </Text>
      )}
      {check && <CheckResult check={check} />}
    </Stack>
  );
}

/** Live documents/s and tokens/s per endpoint, asked for every two seconds while something runs. */
function LiveRates({ active }: { active: boolean }): React.JSX.Element | null {
  const { t } = useTranslation('teacher');
  const [rates, setRates] = useState<EndpointRate[]>([]);
  useEffect(() => {
    let live = true;
    const load = (): void => {
      void call('teacher.endpointRates', {}).then((r) => live && setRates(r));
    };
    load();
    const timer = active ? setInterval(load, 2000) : undefined;
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [active]);
  if (!rates.length) return null;
  return (
    <Table mt="xs" withTableBorder data-testid="endpoint-rates">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t('endpointUrl')}</Table.Th>
          <Table.Th>{t('ratesDocs')}</Table.Th>
          <Table.Th>{t('ratesTokens')}</Table.Th>
          <Table.Th>{t('ratesDone')}</Table.Th>
          <Table.Th />
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rates.map((r) => (
          <Table.Tr key={r.url}>
            <Table.Td>{r.url}</Table.Td>
            <Table.Td>{r.documentsPerSecond.toFixed(2)}</Table.Td>
            <Table.Td>{Math.round(r.tokensPerSecond)}</Table.Td>
            <Table.Td>{r.documents}</Table.Td>
            <Table.Td>
              {r.breakerOpen && <Badge color="orange">{t('breakerOpen')}</Badge>}
              {r.retries > 0 && (
                <Text size="xs" c="dimmed">
                  {t('retries', { count: r.retries })}
                </Text>
              )}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** The Teacher step's remote endpoints: each checked (engine, capabilities, self-check) and its live rates. */
export function RemoteEndpoints({
  endpoints,
  onChange,
  running,
}: {
  endpoints: EndpointDraft[];
  onChange: (update: (list: EndpointDraft[]) => EndpointDraft[]) => void;
  running: boolean;
}): React.JSX.Element {
  const { t } = useTranslation('teacher');
  return (
    <>
      <Text size="sm" fw={500} mt="sm">
        {t('endpoints')}
      </Text>
      <Text size="xs" c="dimmed">
        {t('endpointsHint')}
      </Text>
      {endpoints.map((e, i) => (
        <EndpointRow
          key={i}
          value={e}
          onChange={(next) => onChange((list) => list.map((x, j) => (j === i ? next : x)))}
          onRemove={() => onChange((list) => list.filter((_, j) => j !== i))}
        />
      ))}
      <Group mt={4}>
        <Button
          size="xs"
          variant="subtle"
          leftSection={<IconPlus size={14} />}
          onClick={() => onChange((list) => [...list, { url: '', model: '', concurrency: 4 }])}
          data-testid="endpoint-add"
        >
          {t('addEndpoint')}
        </Button>
      </Group>
      {endpoints.length > 0 && <LiveRates active={running} />}
    </>
  );
}

export { toRequest as endpointRequest };
