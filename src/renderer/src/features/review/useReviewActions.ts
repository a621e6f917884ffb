import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AnnotateResult, QueueSpec, ReviewItem } from '../../../../shared/review';
import { ApiError, call, errorText, useEvent } from '../../api';

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

type AnnotateRequest = Parameters<typeof call<'review.annotate'>>[1];

/** How many documents the review screen keeps fetched ahead of the shown one. */
const AHEAD = 4;

/** The documents fetched ahead: those after `from` (the shown one) in the queue's order, nearest first. */
interface Ahead {
  readonly queue: QueueSpec;
  from: number;
  readonly items: ReviewItem[];
  loading: boolean;
  /** The queue has nothing after the last item. */
  end: boolean;
}

/**
 * Marks which way a key press found its next document, for a PerformanceObserver (the review bench counts them).
 * Only the latest mark of a name stays in the page's timeline: one per key press through a day of labelling would
 * otherwise pile up in memory.
 */
function mark(name: 'review.next.ahead' | 'review.next.fetched'): void {
  performance.clearMarks(name);
  performance.mark(name);
}

/** Keeps the last few hundred ids this page saved (a set that does not grow through a day of labelling). */
function remember(ids: Set<number>, id: number): void {
  ids.add(id);
  if (ids.size > 500) ids.delete(ids.values().next().value as number);
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
  /** Saves, in the order of the key presses. */
  const saves = useRef<Promise<unknown>>(Promise.resolve());
  /** What changes the shown document (arrows, undo, an answer with nothing fetched ahead), in the same order. */
  const display = useRef<Promise<void>>(Promise.resolve());
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

  /** Runs display actions one after another, in the order of the key presses: none is dropped, none overtakes. */
  const run = useCallback((action: () => Promise<void>): void => {
    display.current = display.current.then(action).then(
      () => undefined,
      (e: unknown) => setError(errorText(e)),
    );
  }, []);

  /**
   * The documents after the shown one, fetched while the person reads: an answer shows the first at once and is
   * saved behind it, and the buffer is topped up from its last document (keyset paging, so the saves still on
   * their way do not change what comes after it). A label saved elsewhere on one of them drops the buffer.
   */
  const ahead = useRef<Ahead | null>(null);
  /** Documents this page saved: their `review.annotated` events are its own, not a change elsewhere. */
  const mine = useRef(new Set<number>());
  const fill = useCallback(
    (a: Ahead): void => {
      if (a.loading || a.end || a.items.length >= AHEAD || ahead.current !== a) return;
      a.loading = true;
      const count = AHEAD + 1 - a.items.length;
      call('review.upcoming', {
        projectId,
        queue: a.queue,
        exampleId: a.items.at(-1)?.exampleId ?? a.from,
        count,
        annotator,
      }).then(
        (items) => {
          a.loading = false;
          if (ahead.current !== a) return;
          a.items.push(...items);
          a.end = items.length < count;
        },
        () => {
          a.loading = false;
        },
      );
    },
    [projectId, annotator],
  );
  const restart = useCallback(
    (shown: ReviewItem | null, q: QueueSpec): void => {
      ahead.current = shown
        ? { queue: q, from: shown.exampleId, items: [], loading: false, end: false }
        : null;
      if (ahead.current) fill(ahead.current);
    },
    [fill],
  );
  useEffect(() => {
    const a = ahead.current;
    // Shown from the buffer: it already continues after this document.
    if (item && a && a.queue === queue && a.from === item.exampleId) return;
    restart(item, queue);
  }, [item, queue, restart]);
  useEvent('review.annotated', (e) => {
    const a = ahead.current;
    if (e.projectId !== projectId || !a) return;
    if (mine.current.has(e.exampleId)) return;
    // Someone else labelled (or undid) a document: if it is one fetched ahead, or a fetch is on its way that may
    // hold it, fetch again, so that the next document shown is the queue's next one as it is now.
    if (a.loading || a.items.some((x) => x.exampleId === e.exampleId)) restart(itemRef.current, a.queue);
  });
  useEvent('project.changed', (e) => {
    if (e.projectId === projectId && ahead.current) restart(itemRef.current, ahead.current.queue);
  });

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

  /**
   * Saves an answer behind the display, in the order of the key presses. A save that fails for a passing reason (the
   * server busy, restarting or unreachable) is kept, shown, and tried again until it is saved: never dropped. Resolves
   * with the server's answer, or null when the server refused it for good (the document or label was removed).
   */
  const save = useCallback(
    (request: AnnotateRequest): Promise<AnnotateResult | null> => {
      setUnsaved((n) => n + 1);
      remember(mine.current, request.exampleId);
      const done = saves.current.then(async (): Promise<AnnotateResult | null> => {
        try {
          for (let attempt = 0; ; attempt++) {
            try {
              const r = await call('review.annotate', request);
              setError(null);
              setSaved((n) => n + 1);
              setCountsTick((n) => n + 1);
              return r;
            } catch (e) {
              const passing = !(e instanceof ApiError) || ['DB_LOCKED', 'INTERNAL'].includes(e.info.code);
              const message = errorText(e);
              if (!passing) {
                setError(t('saveFailed', { id: request.exampleId, message }));
                return null;
              }
              setError(t('saveRetrying', { id: request.exampleId, message }));
              await new Promise((r) => setTimeout(r, Math.min(10_000, 500 * 2 ** attempt)));
            }
          }
        } finally {
          setUnsaved((n) => n - 1);
        }
      });
      saves.current = done;
      return done;
    },
    [t],
  );

  /**
   * Shows the next document of the queue from those fetched ahead, when they continue after the shown one and no
   * queued action is about to change it; returns the document that was shown, or null (nothing usable fetched).
   */
  const showAhead = useCallback((): ReviewItem | null => {
    const shown = itemRef.current;
    const a = ahead.current;
    if (!shown || !a || changing.current > 0 || a.from !== shown.exampleId || a.queue !== queueRef.current) {
      return null;
    }
    const next = a.items.shift();
    if (!next) return null;
    a.from = next.exampleId;
    itemRef.current = next;
    onItem(next);
    fill(a);
    return shown;
  }, [fill, onItem]);

  const choose = useCallback(
    (answer: Answer, acceptTeacher = false): void => {
      const request = (exampleId: number): AnnotateRequest => ({
        projectId,
        exampleId,
        ...('labelSet' in answer ? { labelSet: [...answer.labelSet] } : { labelId: answer.labelId }),
        acceptTeacher,
        timeSpentMs: Math.round(performance.now() - shownAt.current),
        queue: queueRef.current,
        annotator,
      });
      // Showing does not wait for saving: the next document is already here.
      const shown = showAhead();
      if (shown) {
        mark('review.next.ahead');
        void save(request(shown.exampleId));
        return;
      }
      mark('review.next.fetched');
      runChanging(async () => {
        const current = itemRef.current;
        if (!current) return;
        const q = queueRef.current;
        const saving = save(request(current.exampleId));
        // Nothing fetched ahead (a new queue, a fast reader): fetch the next documents now, still without waiting
        // for the save; only at the end of the queue does the save's own answer say what comes next.
        const items = await call('review.upcoming', {
          projectId,
          queue: q,
          exampleId: current.exampleId,
          count: AHEAD + 1,
          annotator,
        }).catch(() => null);
        let next: ReviewItem | null;
        if (items?.length) {
          next = items[0];
          ahead.current = {
            queue: q,
            from: next.exampleId,
            items: items.slice(1),
            loading: false,
            end: false,
          };
          fill(ahead.current);
        } else {
          const r = await saving;
          if (!r) return;
          next = r.next;
        }
        itemRef.current = next;
        onItem(next);
      });
    },
    [runChanging, save, fill, showAhead, projectId, annotator, onItem],
  );

  const move = useCallback(
    (direction: 'next' | 'prev'): void => {
      // Forward (arrow, skip) shows a document fetched ahead at once, as a label does; the server then remembers the
      // place (and in team mode leases the document) behind the display, in order with the saves.
      const shown = direction === 'next' ? showAhead() : null;
      if (shown) {
        const remember = {
          projectId,
          queue: queueRef.current,
          exampleId: shown.exampleId,
          direction,
          annotator,
        } as const;
        saves.current = saves.current.then(() => call('review.next', remember)).catch(() => undefined);
        return;
      }
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
    [runChanging, showAhead, projectId, annotator, onItem],
  );

  const undo = useCallback((): void => {
    runChanging(async () => {
      // Undo takes back the last label given: the one still being saved too.
      await saves.current;
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
