import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { QueueSpec, ReviewItem } from '../../../../shared/review';
import { ApiError, call } from '../../api';

/** What a person answers for one document: a label, or in a multi-label project the whole set ([] = none). */
export type Answer = { readonly labelId: number } | { readonly labelSet: readonly number[] };

export interface ReviewActions {
  /** Saves the answer for the shown document and shows the next one (at once when it was fetched ahead). */
  readonly choose: (answer: Answer, acceptTeacher?: boolean) => void;
  readonly move: (direction: 'next' | 'prev') => void;
  readonly undo: () => void;
  readonly error: string | null;
  readonly clearError: () => void;
  readonly saved: number;
  readonly unsaved: number;
  /** Bumped after each save: the queue counts refetch. */
  readonly countsTick: number;
}

/**
 * The labelling actions of the review screen. The next document is fetched while the current one is read, so an
 * answer shows it at once; answers are saved in the order given, behind the display, and retried until saved.
 */
export function useReviewActions(opts: {
  readonly projectId: number;
  readonly annotator: string;
  readonly queue: QueueSpec;
  readonly item: ReviewItem | null;
  readonly onItem: (item: ReviewItem | null) => void;
}): ReviewActions {
  const { projectId, annotator, queue, item, onItem } = opts;
  const { t } = useTranslation('review');
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(0);
  const [countsTick, setCountsTick] = useState(0);
  const chain = useRef<Promise<void>>(Promise.resolve());
  const shownAt = useRef(performance.now());
  const itemRef = useRef(item);
  const queueRef = useRef(queue);
  useEffect(() => {
    itemRef.current = item;
    shownAt.current = performance.now();
  }, [item]);
  useEffect(() => {
    queueRef.current = queue;
  }, [queue]);

  /** Runs actions one after another, in the order of the key presses: none is dropped, none overtakes. */
  const run = useCallback((action: () => Promise<void>): void => {
    chain.current = chain.current.then(action).then(
      () => setError(null),
      (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
    );
  }, []);

  /**
   * The document after the shown one, fetched while the person reads it: an answer then shows it at once and is
   * saved behind it. `next` is undefined until the answer arrives.
   */
  const prefetch = useRef<{ exampleId: number; queue: QueueSpec; next?: ReviewItem | null } | null>(null);
  useEffect(() => {
    if (!item) {
      prefetch.current = null;
      return;
    }
    const entry: { exampleId: number; queue: QueueSpec; next?: ReviewItem | null } = {
      exampleId: item.exampleId,
      queue,
    };
    prefetch.current = entry;
    call('review.next', {
      projectId,
      queue,
      exampleId: item.exampleId,
      direction: 'next',
      annotator,
      peek: true,
    }).then(
      (next) => {
        entry.next = next;
      },
      () => undefined,
    );
  }, [item, queue, projectId, annotator]);

  /** Queued actions that will change the shown document: an answer waits for them instead of using the prefetch. */
  const changing = useRef(0);
  const runChanging = useCallback(
    (action: () => Promise<void>): void => {
      changing.current++;
      run(() =>
        action().finally(() => {
          changing.current--;
        }),
      );
    },
    [run],
  );

  const [unsaved, setUnsaved] = useState(0);
  useEffect(() => {
    if (unsaved === 0) return;
    const warn = (e: BeforeUnloadEvent): void => e.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [unsaved]);

  /** Saves an answer in the order of the key presses; a save that fails for a passing reason is retried, never dropped. */
  const save = useCallback(
    (request: Parameters<typeof call<'review.annotate'>>[1]): void => {
      setUnsaved((n) => n + 1);
      run(async () => {
        try {
          for (let attempt = 0; ; attempt++) {
            try {
              await call('review.annotate', request);
              break;
            } catch (e) {
              const passing = !(e instanceof ApiError) || ['DB_LOCKED', 'INTERNAL'].includes(e.info.code);
              const message = e instanceof ApiError ? e.info.message : String(e);
              if (!passing) throw new Error(t('saveFailed', { id: request.exampleId, message }));
              setError(t('saveRetrying', { id: request.exampleId, message }));
              await new Promise((r) => setTimeout(r, Math.min(10_000, 500 * 2 ** attempt)));
            }
          }
          setSaved((n) => n + 1);
          setCountsTick((n) => n + 1);
        } finally {
          setUnsaved((n) => n - 1);
        }
      });
    },
    [run, t],
  );

  const choose = useCallback(
    (answer: Answer, acceptTeacher = false): void => {
      const shown = itemRef.current;
      const ahead = prefetch.current;
      const next =
        shown &&
        changing.current === 0 &&
        ahead?.exampleId === shown.exampleId &&
        ahead.queue === queueRef.current
          ? ahead.next
          : undefined;
      const request = (exampleId: number): Parameters<typeof call<'review.annotate'>>[1] => ({
        projectId,
        exampleId,
        ...('labelSet' in answer ? { labelSet: [...answer.labelSet] } : { labelId: answer.labelId }),
        acceptTeacher,
        timeSpentMs: Math.round(performance.now() - shownAt.current),
        queue: queueRef.current,
        annotator,
      });
      if (shown && next) {
        // Showing does not wait for saving: the next document is already here.
        itemRef.current = next;
        onItem(next);
        save(request(shown.exampleId));
        return;
      }
      runChanging(async () => {
        const current = itemRef.current;
        if (!current) return;
        const r = await call('review.annotate', request(current.exampleId));
        setSaved((n) => n + 1);
        itemRef.current = r.next;
        onItem(r.next);
        setCountsTick((n) => n + 1);
      });
    },
    [runChanging, save, projectId, annotator, onItem],
  );

  const move = useCallback(
    (direction: 'next' | 'prev'): void => {
      runChanging(async () => {
        const next = await call('review.next', {
          projectId,
          queue: queueRef.current,
          exampleId: itemRef.current?.exampleId ?? null,
          direction,
          annotator,
        });
        if (next) {
          itemRef.current = next;
          onItem(next);
        }
      });
    },
    [runChanging, projectId, annotator, onItem],
  );

  const undo = useCallback((): void => {
    runChanging(async () => {
      const r = await call('review.undo', { projectId, annotator });
      if (r.item) {
        itemRef.current = r.item;
        onItem(r.item);
      }
      setCountsTick((n) => n + 1);
    });
  }, [runChanging, projectId, annotator, onItem]);

  const clearError = useCallback(() => setError(null), []);
  return { choose, move, undo, error, clearError, saved, unsaved, countsTick };
}
