import { Alert, Card, Text, Textarea, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PromptVersion } from '../../../../shared/teacher';
import { call, errorText, useQuery } from '../../api';
import { PromptTextView } from './PromptTextView';
import { PromptTrials } from './PromptTrials';
import { PromptVersions } from './PromptVersions';
import type { LabChoice } from './promptLabParts';

interface Props {
  readonly choice: LabChoice;
  readonly ready: boolean;
  /** Puts a saved version's template, mode and few-shot count into the editor (its task is set here). */
  readonly onUse: (v: PromptVersion) => void;
}

/**
 * The prompt lab: the task description, named prompt versions with who saved them, a line diff of two versions
 * (PromptVersions.tsx), the exact text the model reads for a document (PromptTextView.tsx), and preview runs (jobs)
 * whose accuracies sit side by side (PromptTrials.tsx).
 */
export function PromptLab({ choice, ready, onUse }: Props): React.JSX.Element {
  const { t } = useTranslation('teacher');
  const projectId = choice.projectId;
  const versions = useQuery('teacher.promptVersions', { projectId });
  const list = versions.data ?? [];
  const [task, setTask] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    setTask(null);
    void call('teacher.task', { projectId }).then((r) => live && setTask(r.task));
    return () => {
      live = false;
    };
  }, [projectId]);

  // The task description is the project's: saved once the person pauses typing.
  useEffect(() => {
    if (task === null) return;
    const timer = setTimeout(() => {
      void call('teacher.setTask', { projectId, task }).catch((e: unknown) => setError(errorText(e)));
    }, 400);
    return () => clearTimeout(timer);
  }, [task, projectId]);

  const request: LabChoice = {
    projectId,
    modelId: choice.modelId,
    endpoints: choice.endpoints,
    template: choice.template,
    mode: choice.mode,
    fewShot: choice.fewShot,
    reasoningBudget: choice.reasoningBudget,
  };

  return (
    <Card withBorder data-testid="prompt-lab">
      <Title order={4}>{t('lab.title')}</Title>
      <Text size="xs" c="dimmed" mb="sm">
        {t('lab.intro')}
      </Text>
      {error && (
        <Alert
          color="red"
          mb="sm"
          withCloseButton
          onClose={() => setError(null)}
          data-testid="prompt-lab-error"
        >
          {error}
        </Alert>
      )}
      <Textarea
        label={t('lab.task')}
        description={t('lab.taskHint', { task: '{{task}}', interpolation: { escapeValue: false } })}
        autosize
        minRows={2}
        maxRows={6}
        value={task ?? ''}
        disabled={task === null}
        onChange={(e) => setTask(e.currentTarget.value)}
        data-testid="prompt-task"
      />
      <PromptVersions
        projectId={projectId}
        list={list}
        current={{ task: task ?? '', template: choice.template, mode: choice.mode, fewShot: choice.fewShot }}
        onSaved={versions.reload}
        onUse={(v: PromptVersion) => {
          onUse(v);
          setTask(v.task);
        }}
        onError={setError}
      />
      <PromptTextView request={request} list={list} ready={ready} onError={setError} />
      <PromptTrials request={request} list={list} ready={ready} onError={setError} />
    </Card>
  );
}
