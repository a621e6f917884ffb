import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, useAction, useEvent } from '../../api';

/** What an Evaluate step knows of its runs: the one shown, the one being evaluated, the action that evaluates. */
export interface RunEvaluation {
  /** The run the person chose to show (a key of the runs table), or null: then the first evaluated one. */
  readonly chosen: string | null;
  readonly choose: (key: string) => void;
  /** The run being evaluated, or null. */
  readonly busy: string | null;
  /** Evaluates a run, then shows it; a failure is told in a notification. */
  readonly evaluate: (key: string) => Promise<void>;
  /** `evaluate` for a button: a double click evaluates once. */
  readonly run: (key: string) => void;
}

/**
 * The run state an Evaluate step (single- or multi-label) keeps: `evaluateRun` asks the core to evaluate a run, then
 * `onEvaluated` reloads what shows it; a change of the project other than an evaluation calls `onProjectChanged`.
 */
export function useRunEvaluation({
  projectId,
  evaluateRun,
  onEvaluated,
  onProjectChanged,
}: {
  projectId: number;
  evaluateRun: (key: string) => Promise<unknown>;
  onEvaluated: () => void;
  onProjectChanged: () => void;
}): RunEvaluation {
  const { t } = useTranslation('evaluation');
  const [chosen, setChosen] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  useEvent('project.changed', (e) => {
    if (e.projectId === projectId && e.what !== 'evaluation') onProjectChanged();
  });
  async function evaluate(key: string): Promise<void> {
    setBusy(key);
    try {
      await evaluateRun(key);
      setChosen(key);
      onEvaluated();
    } catch (e) {
      notifications.show({ color: 'red', title: t('error'), message: (e as ApiError).message });
    } finally {
      setBusy(null);
    }
  }
  // One evaluation at a time: a double click evaluates once.
  const action = useAction(evaluate);
  return { chosen, choose: setChosen, busy, evaluate, run: action.run };
}
