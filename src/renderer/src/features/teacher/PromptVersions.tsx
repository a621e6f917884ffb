import { Badge, Button, Code, Group, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { IconDeviceFloppy, IconGitCompare } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DiffLine, PromptDiff, PromptVersion, TeacherMode } from '../../../../shared/teacher';
import { ActionButton } from '../../components/ActionButton';
import { call } from '../../api';
import { TableHeader } from '../../components/TableHeader';
import { type LabError, useLabAction, useVersionChoices, VersionSelect } from './promptLabParts';

function DiffView({ lines, testId }: { lines: readonly DiffLine[]; testId: string }): React.JSX.Element {
  return (
    <Code block data-testid={testId} style={{ whiteSpace: 'pre-wrap' }}>
      {lines.map((l, i) => (
        <div
          key={i}
          data-kind={l.kind}
          style={{
            background:
              l.kind === 'added'
                ? 'var(--mantine-color-green-light)'
                : l.kind === 'removed'
                  ? 'var(--mantine-color-red-light)'
                  : undefined,
          }}
        >
          {l.kind === 'added' ? '+ ' : l.kind === 'removed' ? '- ' : '  '}
          {l.text || ' '}
        </div>
      ))}
    </Code>
  );
}

/** A line diff of two saved versions, chosen from the list. */
function VersionDiff({
  list,
  diffTo,
  setDiffTo,
  onError,
}: {
  list: readonly PromptVersion[];
  diffTo: string;
  setDiffTo: (id: string) => void;
  onError: LabError;
}): React.JSX.Element {
  const { t } = useTranslation('teacher');
  const [diffFrom, setDiffFrom] = useState('');
  const [diff, setDiff] = useState<PromptDiff | null>(null);
  const { picks } = useVersionChoices(list);
  const showDiff = useLabAction(onError, async () => {
    setDiff(await call('teacher.promptDiff', { fromId: Number(diffFrom), toId: Number(diffTo) }));
  });
  return (
    <>
      <Group align="flex-end" mt="sm">
        <VersionSelect
          label={t('lab.compareFrom')}
          data={picks}
          value={diffFrom}
          onChange={setDiffFrom}
          testId="prompt-diff-from"
        />
        <VersionSelect
          label={t('lab.compareTo')}
          data={picks}
          value={diffTo}
          onChange={setDiffTo}
          testId="prompt-diff-to"
        />
        <ActionButton
          variant="light"
          leftSection={<IconGitCompare size={16} />}
          disabled={!diffFrom || !diffTo}
          action={showDiff}
          testId="prompt-diff-show"
        >
          {t('lab.showDiff')}
        </ActionButton>
      </Group>
      {diff && (
        <Stack gap={4} mt="xs" data-testid="prompt-diff">
          <Text size="sm">
            {diff.changed.length
              ? t('lab.diffChanged', {
                  fields: diff.changed.map((f) => t(`lab.field.${f}`)).join(', '),
                })
              : t('lab.diffSame')}
          </Text>
          {diff.changed.includes('task') && <DiffView lines={diff.task} testId="prompt-diff-task" />}
          {diff.changed.includes('template') && (
            <DiffView lines={diff.template} testId="prompt-diff-template" />
          )}
          {diff.from.mode !== diff.to.mode && (
            <Text size="sm">
              {t('lab.field.mode')}: {diff.from.mode} → {diff.to.mode}
            </Text>
          )}
          {diff.from.fewShot !== diff.to.fewShot && (
            <Text size="sm">
              {t('lab.field.fewShot')}: {diff.from.fewShot} → {diff.to.fewShot}
            </Text>
          )}
        </Stack>
      )}
    </>
  );
}

/**
 * The prompt's named versions: save the current one under a name, the list with who saved each and what changed
 * (a version can be put back into the editor), and a diff of two of them.
 */
export function PromptVersions({
  projectId,
  list,
  current,
  onSaved,
  onUse,
  onError,
}: {
  projectId: number;
  list: readonly PromptVersion[];
  /** What a saved version keeps: the task as typed and the Teacher step's template, mode and few-shot count. */
  current: { task: string; template: string; mode: TeacherMode; fewShot: number };
  onSaved: () => void;
  onUse: (v: PromptVersion) => void;
  onError: LabError;
}): React.JSX.Element {
  const { t } = useTranslation('teacher');
  const [name, setName] = useState('');
  const [diffTo, setDiffTo] = useState('');
  const save = useLabAction(onError, async () => {
    await call('teacher.setTask', { projectId, task: current.task });
    const v = await call('teacher.savePromptVersion', { projectId, name, ...current });
    setName('');
    onSaved();
    if (!diffTo) setDiffTo(String(v.id));
  });
  return (
    <>
      <Title order={5} mt="md">
        {t('lab.versions')}
      </Title>
      <Group align="flex-end" mb="xs">
        <TextInput
          label={t('lab.versionName')}
          placeholder={t('lab.versionNamePlaceholder')}
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          w={280}
          data-testid="prompt-version-name"
        />
        <ActionButton
          leftSection={<IconDeviceFloppy size={16} />}
          disabled={!name.trim()}
          action={save}
          testId="prompt-version-save"
        >
          {t('lab.save')}
        </ActionButton>
      </Group>
      {list.length === 0 ? (
        <Text size="sm" c="dimmed" data-testid="prompt-versions-empty">
          {t('lab.noVersions')}
        </Text>
      ) : (
        <Table fz="sm" data-testid="prompt-versions">
          <TableHeader columns={[t('lab.version'), t('lab.savedBy'), t('lab.changed'), '']} />
          <Table.Tbody>
            {list.map((v) => (
              <Table.Tr key={v.id} data-testid="prompt-version">
                <Table.Td>{t('lab.versionLabel', { number: v.number, name: v.name })}</Table.Td>
                <Table.Td>
                  {t('lab.byAt', { who: v.createdBy, when: new Date(v.createdAt).toLocaleString() })}
                </Table.Td>
                <Table.Td>
                  <Group gap={4}>
                    {v.changed.map((f) => (
                      <Badge key={f} size="xs" variant="light">
                        {t(`lab.field.${f}`)}
                      </Badge>
                    ))}
                  </Group>
                </Table.Td>
                <Table.Td>
                  <Button
                    size="compact-xs"
                    variant="subtle"
                    onClick={() => onUse(v)}
                    data-testid="prompt-version-use"
                  >
                    {t('lab.use')}
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {list.length >= 2 && (
        <VersionDiff list={list} diffTo={diffTo} setDiffTo={setDiffTo} onError={onError} />
      )}
    </>
  );
}
