import {
  Alert,
  Badge,
  Button,
  Group,
  Kbd,
  Paper,
  Progress,
  ScrollArea,
  Select,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { IconArrowBackUp, IconCheck, IconPlayerSkipForward } from '@tabler/icons-react';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { QueueCounts, QueueKind, QueueSpec, ReviewItem, ReviewState } from '../../../../shared/review';
import { QUEUE_KINDS } from '../../../../shared/review';
import { ApiError, call } from '../../api';
import { MaskHighlight, useMaskTokens } from '../dataset/MaskHighlight';
import { Highlighted } from './Highlighted';

type Labels = ReviewState['labels'];

interface Props {
  readonly projectId: number;
  readonly annotator: string;
  readonly labels: Labels;
  readonly queue: QueueSpec;
  readonly onQueue: (q: QueueSpec) => void;
  readonly item: ReviewItem | null;
  readonly onItem: (item: ReviewItem | null) => void;
  /** Bumped by the parent when labels changed elsewhere (bulk, import): counts refetch. */
  readonly version: number;
}

const FILTER_THRESHOLD = 10;

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  const tag = el.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || el.isContentEditable;
}

/**
 * One document at a time, labelled from the keyboard. The next document is fetched while the current one is read, so
 * a label shows it at once; labels are saved in the order given, behind the display, and retried until saved.
 */
export function LabelPanel({
  projectId,
  annotator,
  labels,
  queue,
  onQueue,
  item,
  onItem,
  version,
}: Props): React.JSX.Element {
  const maskTokens = useMaskTokens(projectId);
  const { t } = useTranslation('review');
  const [counts, setCounts] = useState<QueueCounts | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(0);
  const [filter, setFilter] = useState('');
  const [searchDraft, setSearchDraft] = useState(queue.search ?? '');
  const filterRef = useRef<HTMLInputElement>(null);
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

  const [countsTick, setCountsTick] = useState(0);
  useEffect(() => {
    // Counts scan the project: wait until the person pauses so that they never delay the next document.
    const timer = setTimeout(() => {
      void call('review.counts', { projectId, queue }).then(setCounts, () => undefined);
    }, 800);
    return () => clearTimeout(timer);
  }, [projectId, queue, countsTick, version]);

  /** Runs actions one after another, in the order of the key presses: none is dropped, none overtakes. */
  const run = useCallback((action: () => Promise<void>): void => {
    chain.current = chain.current.then(action).then(
      () => setError(null),
      (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
    );
  }, []);

  /**
   * The document after the shown one, fetched while the person reads it: a label then shows it at once and is saved
   * behind it. `next` is undefined until the answer arrives.
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

  /** Queued actions that will change the shown document: a label waits for them instead of using the prefetch. */
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

  /** Saves a label in the order of the key presses; a save that fails for a passing reason is retried, never dropped. */
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
    (labelId: number, acceptTeacher = false): void => {
      const shown = itemRef.current;
      const ahead = prefetch.current;
      const next =
        shown &&
        changing.current === 0 &&
        ahead?.exampleId === shown.exampleId &&
        ahead.queue === queueRef.current
          ? ahead.next
          : undefined;
      if (shown && next) {
        // Showing does not wait for saving: the next document is already here.
        itemRef.current = next;
        onItem(next);
        save({
          projectId,
          exampleId: shown.exampleId,
          labelId,
          acceptTeacher,
          timeSpentMs: Math.round(performance.now() - shownAt.current),
          queue: queueRef.current,
          annotator,
        });
        return;
      }
      runChanging(async () => {
        const current = itemRef.current;
        if (!current) return;
        const r = await call('review.annotate', {
          projectId,
          exampleId: current.exampleId,
          labelId,
          acceptTeacher,
          timeSpentMs: Math.round(performance.now() - shownAt.current),
          queue: queueRef.current,
          annotator,
        });
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

  // On the test split a person chooses every label (the gold set); Enter there does nothing but the notice shows.
  const acceptTeacher = useCallback((): void => {
    const current = itemRef.current;
    const predicted = current?.teacher?.predictedLabelId;
    if (predicted && current?.split !== 'test') choose(predicted, true);
  }, [choose]);

  const visibleLabels =
    labels.length > FILTER_THRESHOLD && filter
      ? labels.filter((l) => l.name.toLowerCase().includes(filter.toLowerCase()))
      : labels;

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      if (isTyping(e.target)) return;
      // Enter on a focused button presses that button.
      if (e.key === 'Enter' && (e.target as HTMLElement | null)?.tagName === 'BUTTON') return;
      const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
      const byHotkey = labels.find((l) => l.hotkey && l.hotkey.toLowerCase() === key);
      if (byHotkey) {
        e.preventDefault();
        choose(byHotkey.id);
        return;
      }
      if (/^[1-9]$/.test(key) && labels.length <= FILTER_THRESHOLD) {
        const l = labels[Number(key) - 1];
        if (l) {
          e.preventDefault();
          choose(l.id);
        }
        return;
      }
      switch (key) {
        case 'Enter':
          e.preventDefault();
          acceptTeacher();
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
  }, [labels, choose, acceptTeacher, undo, move]);

  const queueOptions = QUEUE_KINDS.filter((k) => k !== 'label').map((k: QueueKind) => ({
    value: k,
    label: `${t(`queue.${k}`)}${counts ? ` (${counts.counts[k].toLocaleString()})` : ''}`,
  }));
  const labelOptions = labels.map((l) => {
    const n = counts?.byLabel.find((b) => b.labelId === l.id)?.count;
    return {
      value: `label:${l.id}`,
      label: `${t('queue.label')}: ${l.name}${n === undefined ? '' : ` (${n})`}`,
    };
  });
  const queueValue = queue.kind === 'label' ? `label:${queue.labelId}` : queue.kind;
  const labelName = (id: number | null): string => labels.find((l) => l.id === id)?.name ?? '';

  return (
    <Stack gap="sm">
      <Group align="flex-end" wrap="wrap">
        <Select
          label={t('queueLabel')}
          data-testid="queue-select"
          w={300}
          allowDeselect={false}
          value={queueValue}
          data={[...queueOptions, ...labelOptions]}
          onChange={(v) => {
            if (!v) return;
            if (v.startsWith('label:')) onQueue({ ...queue, kind: 'label', labelId: Number(v.slice(6)) });
            else onQueue({ ...queue, kind: v as QueueKind, labelId: undefined });
          }}
        />
        {queue.kind === 'uncertain' && (
          <Select
            label={t('uncertainBy')}
            data-testid="uncertain-by"
            w={180}
            allowDeselect={false}
            value={queue.uncertainBy ?? 'entropy'}
            data={[
              { value: 'entropy', label: t('entropy') },
              { value: 'margin', label: t('margin') },
            ]}
            onChange={(v) => v && onQueue({ ...queue, uncertainBy: v as 'entropy' | 'margin' })}
          />
        )}
        <Select
          label={t('split')}
          data-testid="split-select"
          w={160}
          allowDeselect={false}
          value={queue.split ?? 'any'}
          data={[
            { value: 'any', label: t('splitAny') },
            { value: 'train', label: t('splitTrain') },
            { value: 'validation', label: t('splitValidation') },
            { value: 'test', label: t('splitTest') },
          ]}
          onChange={(v) =>
            onQueue({ ...queue, split: v === 'any' || !v ? null : (v as 'train' | 'validation' | 'test') })
          }
        />
        <TextInput
          label={t('search')}
          placeholder={t('searchPlaceholder')}
          data-testid="review-search"
          w={240}
          value={searchDraft}
          onChange={(e) => setSearchDraft(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              onQueue({ ...queue, search: searchDraft.trim() || undefined });
              e.currentTarget.blur();
            }
          }}
          onBlur={() => {
            if ((queue.search ?? '') !== searchDraft.trim())
              onQueue({ ...queue, search: searchDraft.trim() || undefined });
          }}
        />
        <Badge variant="light" size="lg" tt="none" data-testid="queue-count">
          {counts
            ? t('inQueue', {
                count: queue.kind === 'label' ? counts.counts.label : counts.counts[queue.kind],
              })
            : '…'}
        </Badge>
        <Badge variant="outline" color="teal" size="lg" tt="none" data-testid="saved-count">
          {t('savedCount', { count: saved })}
        </Badge>
        {unsaved > 0 && (
          <Badge variant="light" color="orange" size="lg" tt="none" data-testid="unsaved-count">
            {t('unsavedCount', { count: unsaved })}
          </Badge>
        )}
      </Group>
      {error && (
        <Alert color="red" data-testid="review-error" withCloseButton onClose={() => setError(null)}>
          {error}
        </Alert>
      )}
      {item?.split === 'test' && (
        <Alert color="yellow" data-testid="gold-choose">
          {t('goldChoose')}
        </Alert>
      )}
      {!item ? (
        <Alert color="teal" icon={<IconCheck />} data-testid="queue-empty" title={t('queueEmptyTitle')}>
          {t('queueEmpty')}
        </Alert>
      ) : (
        <Group align="flex-start" wrap="nowrap" gap="md">
          <Paper withBorder p="md" style={{ flex: 3, minWidth: 0 }}>
            <Group justify="space-between" mb="xs">
              <Text size="sm" c="dimmed">
                {t('document', { id: item.exampleId })}
                {item.split ? ` · ${t(`split_${item.split}`)}` : ''}
              </Text>
              {item.humanLabelId !== null && (
                <Badge
                  data-testid="current-label"
                  color={labels.find((l) => l.id === item.humanLabelId)?.color ?? undefined}
                >
                  {labelName(item.humanLabelId)}
                </Badge>
              )}
            </Group>
            <ScrollArea.Autosize mah="50vh">
              <Text
                size="lg"
                style={{ whiteSpace: 'pre-wrap', lineHeight: 1.6 }}
                data-testid="review-doc"
                data-example-id={item.exampleId}
              >
                <MaskHighlight
                  text={item.text}
                  tokens={maskTokens}
                  renderPlain={(part) => <Highlighted text={part} search={queue.search ?? ''} />}
                />
              </Text>
            </ScrollArea.Autosize>
          </Paper>
          <Paper withBorder p="md" style={{ flex: 2, minWidth: 260 }}>
            <Title order={5} mb="xs">
              {t('teacher')}
            </Title>
            {item.teacher ? (
              <Stack gap={6} data-testid="teacher-view">
                {item.teacher.probs.map((p) => (
                  <div key={p.labelId}>
                    <Group justify="space-between" gap={4}>
                      <Text size="sm" fw={p.labelId === item.teacher?.predictedLabelId ? 700 : 400}>
                        {p.name}
                      </Text>
                      <Text size="sm">{(p.prob * 100).toFixed(1)}%</Text>
                    </Group>
                    <Progress
                      value={p.prob * 100}
                      color={labels.find((l) => l.id === p.labelId)?.color ?? undefined}
                    />
                  </div>
                ))}
                {item.teacher.reasoning && (
                  <Text
                    size="sm"
                    c="dimmed"
                    style={{ whiteSpace: 'pre-wrap' }}
                    data-testid="teacher-reasoning"
                  >
                    {item.teacher.reasoning}
                  </Text>
                )}
              </Stack>
            ) : (
              <Text size="sm" c="dimmed">
                {t('noTeacher')}
              </Text>
            )}
          </Paper>
        </Group>
      )}
      {labels.length > FILTER_THRESHOLD && (
        <TextInput
          ref={filterRef}
          placeholder={t('filterLabels')}
          data-testid="label-filter"
          value={filter}
          onChange={(e) => setFilter(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && visibleLabels.length > 0) {
              choose(visibleLabels[0].id);
              setFilter('');
              e.currentTarget.blur();
            } else if (e.key === 'Escape') {
              setFilter('');
              e.currentTarget.blur();
            }
          }}
        />
      )}
      <Group gap="xs" data-testid="label-buttons">
        {visibleLabels.map((l, i) => (
          <Button
            key={l.id}
            color={l.color ?? undefined}
            variant={item?.myLabelId === l.id ? 'filled' : 'light'}
            disabled={!item}
            onClick={() => choose(l.id)}
            data-testid={`label-${l.name}`}
            title={l.description}
          >
            {labels.length <= FILTER_THRESHOLD && <Kbd mr={6}>{i + 1}</Kbd>}
            {l.name}
            {l.hotkey && <Kbd ml={6}>{l.hotkey}</Kbd>}
          </Button>
        ))}
        <Button
          variant="default"
          leftSection={<IconCheck size={16} />}
          disabled={!item?.teacher?.predictedLabelId || item.split === 'test'}
          onClick={acceptTeacher}
          data-testid="accept-teacher"
        >
          {t('acceptTeacher')} <Kbd ml={6}>Enter</Kbd>
        </Button>
        <Button
          variant="default"
          leftSection={<IconArrowBackUp size={16} />}
          onClick={undo}
          data-testid="undo"
        >
          {t('undo')} <Kbd ml={6}>Z</Kbd>
        </Button>
        <Button
          variant="default"
          leftSection={<IconPlayerSkipForward size={16} />}
          disabled={!item}
          onClick={() => move('next')}
          data-testid="skip"
        >
          {t('skip')} <Kbd ml={6}>S</Kbd>
        </Button>
      </Group>
      <Text size="xs" c="dimmed">
        {t('keysHelp')}
      </Text>
      {item && item.history.length > 0 && (
        <Stack gap={2} data-testid="doc-history">
          <Text size="sm" fw={600}>
            {t('docHistory')}
          </Text>
          {item.history.slice(0, 5).map((h) => (
            <Text
              key={h.id}
              size="xs"
              c={h.retractedAt ? 'dimmed' : undefined}
              td={h.retractedAt ? 'line-through' : undefined}
            >
              {new Date(h.createdAt).toLocaleString()} · {h.annotator} · {h.labelName ?? '—'} ·{' '}
              {t(`source.${h.source}`)}
            </Text>
          ))}
        </Stack>
      )}
    </Stack>
  );
}
