import { NativeSelect, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { PromptVersion, TeacherEndpoint, TeacherMode } from '../../../../shared/teacher';
import { errorText, type Action, useAction } from '../../api';

/** The prompt as the Teacher step holds it now (what "the current prompt" means in the lab). */
export interface LabChoice {
  readonly projectId: number;
  readonly modelId?: number;
  readonly endpoints: TeacherEndpoint[];
  readonly template: string;
  readonly mode: TeacherMode;
  readonly fewShot: number;
  readonly reasoningBudget: number;
}

/** The value of "the current prompt" (the editor's, not a saved version) in the lab's prompt choices. */
export const CURRENT = 'current';

/** The saved version a prompt choice names, or undefined for the current prompt. */
export const versionId = (v: string): number | undefined => (v === CURRENT ? undefined : Number(v));

/** Document ids typed as "12, 15 18": whole positive numbers, or null when one is not. */
export function parseIds(raw: string): number[] | null {
  const parts = raw.split(/[\s,;]+/).filter(Boolean);
  const ids = parts.map(Number);
  return ids.every((n) => Number.isInteger(n) && n > 0) ? ids : null;
}

/** The saved versions as choices of a select: after "the current prompt" (`prompts`), or after "choose" (`picks`). */
export function useVersionChoices(list: readonly PromptVersion[]): {
  prompts: { value: string; label: string }[];
  picks: { value: string; label: string }[];
} {
  const { t } = useTranslation('teacher');
  const saved = list.map((v) => ({
    value: String(v.id),
    label: t('lab.versionLabel', { number: v.number, name: v.name }),
  }));
  return {
    prompts: [{ value: CURRENT, label: t('lab.currentPrompt') }, ...saved],
    picks: [{ value: '', label: t('lab.choose') }, ...saved],
  };
}

/** Says what went wrong in the lab's one error line, or clears it (null). */
export type LabError = (message: string | null) => void;

/**
 * An action of the prompt lab, safe to click twice: it clears the lab's error line, and a failure is said there.
 */
export function useLabAction<A extends unknown[]>(
  onError: LabError,
  action: (...args: A) => Promise<void>,
): Action<A> {
  return useAction(async (...args: A) => {
    onError(null);
    try {
      await action(...args);
    } catch (e) {
      onError(errorText(e));
    }
  });
}

/** A choice of prompt: the current one or a saved version (`useVersionChoices`). */
export function VersionSelect(props: {
  label: string;
  data: { value: string; label: string }[];
  value: string;
  onChange: (value: string) => void;
  testId: string;
}): React.JSX.Element {
  return (
    <NativeSelect
      label={props.label}
      data={props.data}
      value={props.value}
      onChange={(e) => props.onChange(e.currentTarget.value)}
      data-testid={props.testId}
    />
  );
}

/** Document ids typed by the person (read with `parseIds`). */
export function IdsInput(props: {
  label: string;
  placeholder: string;
  w: number;
  value: string;
  onChange: (value: string) => void;
  testId: string;
}): React.JSX.Element {
  return (
    <TextInput
      label={props.label}
      placeholder={props.placeholder}
      w={props.w}
      value={props.value}
      onChange={(e) => props.onChange(e.currentTarget.value)}
      data-testid={props.testId}
    />
  );
}

/** The prompt a document is read with: the current one, or a saved version. */
export function PromptSelect(props: {
  list: readonly PromptVersion[];
  value: string;
  onChange: (value: string) => void;
  testId: string;
}): React.JSX.Element {
  const { t } = useTranslation('teacher');
  const { prompts } = useVersionChoices(props.list);
  return (
    <VersionSelect
      label={t('lab.prompt')}
      data={prompts}
      value={props.value}
      onChange={props.onChange}
      testId={props.testId}
    />
  );
}

/** What each part of the lab is given: the Teacher step's model and prompt, the saved versions, the error line. */
export interface LabPartProps {
  readonly request: LabChoice;
  readonly list: readonly PromptVersion[];
  /** A model is chosen: the text can be shown and a preview run. */
  readonly ready: boolean;
  readonly onError: LabError;
}
