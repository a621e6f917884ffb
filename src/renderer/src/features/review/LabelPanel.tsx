import { Alert, Badge, Button, Group, Kbd, Paper, Stack, Text } from '@mantine/core';
import { IconArrowBackUp, IconCheck, IconPlayerSkipForward } from '@tabler/icons-react';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { labelKeys } from '../../../../shared/labelKeys';
import type { QueueSpec, ReviewItem, ReviewState } from '../../../../shared/review';
import { DocumentReader } from '../../components/DocumentReader';
import { useMaskTokens } from '../dataset/MaskHighlight';
import { DocumentPane, setNames } from './DocumentPane';
import { FILTER_THRESHOLD, LabelButtons } from './LabelButtons';
import { QueueBar, SaveCounts } from './QueueBar';
import { TeacherPanel } from './TeacherPanel';
import { useReviewActions } from './useReviewActions';

type Labels = ReviewState['labels'];

interface Props {
  readonly projectId: number;
  readonly annotator: string;
  readonly labels: Labels;
  /** 'multi': keys toggle labels in a set and Enter saves the set. */
  readonly kind: ReviewState['kind'];
  readonly queue: QueueSpec;
  readonly onQueue: (q: QueueSpec) => void;
  readonly item: ReviewItem | null;
  readonly onItem: (item: ReviewItem | null) => void;
  /** Bumped by the parent when labels changed elsewhere (bulk, import): counts refetch. */
  readonly version: number;
  readonly colourOf: (labelId: number) => string | undefined;
}

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  const tag = el.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || el.isContentEditable;
}

/**
 * One document at a time, labelled from the keyboard, the labels in a column beside the text. Single-label: a
 * label's key saves it and Enter accepts the teacher's label. Multi-label: a label's key adds it to the set or takes
 * it out, Enter saves the set (empty: "none of these"), Shift+Enter accepts the teacher's set.
 */
export function LabelPanel({
  projectId,
  annotator,
  labels,
  kind,
  queue,
  onQueue,
  item,
  onItem,
  version,
  colourOf,
}: Props): React.JSX.Element {
  const { t } = useTranslation('review');
  const multi = kind === 'multi';
  const maskTokens = useMaskTokens(projectId);
  const actions = useReviewActions({ projectId, annotator, queue, item, onItem });
  const { choose, move, undo } = actions;
  const filterRef = useRef<HTMLInputElement>(null);
  /** The document open in the reader: label keys wait while it is open (the reader is for reading). */
  const [reading, setReading] = useState<number | null>(null);
  const keys = useMemo(() => labelKeys(labels), [labels]);
  const byKey = useMemo(
    () => new Map([...keys].flatMap(([id, ks]) => ks.map((k) => [k, id] as const))),
    [keys],
  );

  // The set being built (multi-label): this person's set, else the current one, else empty.
  const [draft, setDraft] = useState<readonly number[]>([]);
  const draftRef = useRef(draft);
  useEffect(() => {
    const start = item?.myLabelSet ?? item?.humanLabelSet ?? [];
    const same = start.length === draftRef.current.length && start.every((x, i) => x === draftRef.current[i]);
    // The same set (always, in a single-label project) keeps its array: no second render per key press.
    if (same) return;
    draftRef.current = start;
    setDraft(start);
  }, [item]);
  const toggle = useCallback((labelId: number): void => {
    const d = draftRef.current;
    const next = d.includes(labelId) ? d.filter((x) => x !== labelId) : [...d, labelId].sort((a, b) => a - b);
    draftRef.current = next;
    setDraft(next);
  }, []);
  const pick = useCallback(
    (labelId: number): void => (multi ? toggle(labelId) : choose({ labelId })),
    [multi, toggle, choose],
  );
  const saveSet = useCallback((): void => choose({ labelSet: draftRef.current }), [choose]);

  // On the test split a person chooses every label (the gold set); accepting does nothing but the notice shows.
  const canAccept =
    item !== null &&
    item.split !== 'test' &&
    (multi ? item.teacher?.predictedSet != null : Boolean(item.teacher?.predictedLabelId));
  const acceptTeacher = useCallback((): void => {
    if (!canAccept || !item?.teacher) return;
    const { predictedSet, predictedLabelId } = item.teacher;
    if (multi && predictedSet) choose({ labelSet: predictedSet }, true);
    else if (!multi && predictedLabelId) choose({ labelId: predictedLabelId }, true);
  }, [canAccept, item, multi, choose]);

  // The button that opened this step keeps the focus, and Enter on a focused button presses it: let it go, so that
  // the first Enter saves (or accepts) here.
  useEffect(() => {
    const active = document.activeElement as HTMLElement | null;
    if (active?.tagName === 'BUTTON') active.blur();
  }, []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (reading !== null) return;
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      if (isTyping(e.target)) return;
      // Enter on a focused button presses that button.
      if (e.key === 'Enter' && (e.target as HTMLElement | null)?.tagName === 'BUTTON') return;
      const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
      const labelId = e.shiftKey ? undefined : byKey.get(key);
      if (labelId !== undefined) {
        e.preventDefault();
        // A label key is labelling: a button clicked before must not take the Enter that follows.
        (document.activeElement as HTMLElement | null)?.blur();
        if (item) pick(labelId);
        return;
      }
      switch (key) {
        case 'Enter':
          e.preventDefault();
          if (multi && !e.shiftKey) {
            if (item) saveSet();
          } else acceptTeacher();
          return;
        case 'Backspace':
        case 'z':
          e.preventDefault();
          undo();
          return;
        case 's':
        case 'ArrowRight':
        case 'ArrowDown':
          e.preventDefault();
          move('next');
          return;
        case 'ArrowLeft':
        case 'ArrowUp':
          e.preventDefault();
          move('prev');
          return;
        case '/':
          if (labels.length > FILTER_THRESHOLD) {
            e.preventDefault();
            filterRef.current?.focus();
          }
          return;
        default:
          return;
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [labels, byKey, item, multi, pick, saveSet, acceptTeacher, undo, move, reading]);

  const myLabelId = item?.myLabelId ?? null;
  const selected = useMemo(
    () => new Set(multi ? draft : myLabelId ? [myLabelId] : []),
    [multi, draft, myLabelId],
  );
  const keyless = labels.length - keys.size;
  return (
    <Stack gap="sm">
      <Group align="flex-end" gap="sm">
        <QueueBar
          projectId={projectId}
          labels={labels}
          queue={queue}
          onQueue={onQueue}
          refresh={actions.countsTick + version}
        />
        <SaveCounts saved={actions.saved} unsaved={actions.unsaved} />
      </Group>
      {actions.error && (
        <Alert color="red" data-testid="review-error" withCloseButton onClose={actions.clearError}>
          {actions.error}
        </Alert>
      )}
      {item?.split === 'test' && (
        <Alert color="yellow" data-testid="gold-choose">
          {t(multi ? 'goldChooseMulti' : 'goldChoose')}
        </Alert>
      )}
      {!item ? (
        <Stack gap="xs" align="flex-start">
          <Alert color="teal" icon={<IconCheck />} data-testid="queue-empty" title={t('queueEmptyTitle')}>
            {t('queueEmpty')}
          </Alert>
          <UndoButton onUndo={undo} />
        </Stack>
      ) : (
        <Group align="flex-start" wrap="nowrap" gap="md">
          <DocumentPane
            item={item}
            labels={labels}
            multi={multi}
            search={queue.search ?? ''}
            colourOf={colourOf}
            maskTokens={maskTokens}
            onOpenReader={setReading}
          />
          <Stack gap="sm" style={{ flex: 2, minWidth: 260, maxWidth: 440 }} data-testid="label-column">
            <Paper withBorder p="sm">
              {multi && (
                <Group gap={4} mb="xs" data-testid="draft-set" data-labels={draft.join(',')}>
                  <Text size="sm" fw={600}>
                    {t('yourSet')}
                  </Text>
                  {draft.length === 0 ? (
                    <Badge color="gray" variant="outline" data-testid="draft-none">
                      {t('noneOfThese')}
                    </Badge>
                  ) : (
                    draft.map((id) => (
                      <Badge key={id} color={colourOf(id)}>
                        {setNames([id], labels, '')}
                      </Badge>
                    ))
                  )}
                </Group>
              )}
              <LabelButtons
                labels={labels}
                keys={keys}
                selected={selected}
                multi={multi}
                disabled={false}
                onPick={pick}
                filterRef={filterRef}
                colourOf={colourOf}
              />
              <Group gap="xs" mt="sm">
                {multi && (
                  <Button leftSection={<IconCheck size={16} />} onClick={saveSet} data-testid="save-set">
                    {t(draft.length === 0 ? 'saveNone' : 'saveSet', { count: draft.length })}{' '}
                    <Kbd ml={6}>Enter</Kbd>
                  </Button>
                )}
                <Button
                  variant="default"
                  leftSection={<IconCheck size={16} />}
                  disabled={!canAccept}
                  onClick={acceptTeacher}
                  data-testid="accept-teacher"
                >
                  {t(multi ? 'acceptTeacherSet' : 'acceptTeacher')}{' '}
                  <Kbd ml={6}>{multi ? 'Shift+Enter' : 'Enter'}</Kbd>
                </Button>
                <UndoButton onUndo={undo} />
                <Button
                  variant="default"
                  leftSection={<IconPlayerSkipForward size={16} />}
                  onClick={() => move('next')}
                  data-testid="skip"
                >
                  {t('skip')} <Kbd ml={6}>S</Kbd>
                </Button>
              </Group>
              <Text size="xs" c="dimmed" mt="xs" data-testid="keys-help">
                {t(multi ? 'keysHelpMulti' : 'keysHelp')}
                {keyless > 0 ? ` · ${t('keysMissing', { count: keyless })}` : ''}
              </Text>
            </Paper>
            <TeacherPanel item={item} multi={multi} colourOf={colourOf} />
          </Stack>
        </Group>
      )}
      <DocumentReader projectId={projectId} exampleId={reading} onClose={() => setReading(null)} />
    </Stack>
  );
}

/** Undo the last label (also the Z key): under the empty queue and beside the label buttons. */
function UndoButton({ onUndo }: { onUndo: () => void }): React.JSX.Element {
  const { t } = useTranslation('review');
  return (
    <Button variant="default" leftSection={<IconArrowBackUp size={16} />} onClick={onUndo} data-testid="undo">
      {t('undo')} <Kbd ml={6}>Z</Kbd>
    </Button>
  );
}
