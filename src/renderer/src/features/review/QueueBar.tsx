import { Badge, Group, Select, TextInput } from '@mantine/core';
import { memo, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { QueueCounts, QueueKind, QueueSpec, ReviewState } from '../../../../shared/review';
import { QUEUE_KINDS } from '../../../../shared/review';
import { call } from '../../api';

interface Props {
  readonly projectId: number;
  readonly labels: ReviewState['labels'];
  readonly queue: QueueSpec;
  readonly onQueue: (q: QueueSpec) => void;
  /** Bumped when labels were saved here or changed elsewhere: counts refetch. */
  readonly refresh: number;
}

/**
 * Which documents to go through (queue, split, words), with how many each queue holds. Memoised: a key press (a new
 * document, one more save on its way) must not re-render its selects; only a new queue or new counts do.
 */
export const QueueBar = memo(function QueueBar({
  projectId,
  labels,
  queue,
  onQueue,
  refresh,
}: Props): React.JSX.Element {
  const { t } = useTranslation('review');
  const [counts, setCounts] = useState<QueueCounts | null>(null);
  const [searchDraft, setSearchDraft] = useState(queue.search ?? '');
  useEffect(() => {
    // Counts scan the project: wait until the person pauses so that they never delay the next document.
    const timer = setTimeout(() => {
      void call('review.counts', { projectId, queue }).then(setCounts, () => undefined);
    }, 800);
    return () => clearTimeout(timer);
  }, [projectId, queue, refresh]);

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
  return (
    <Group align="flex-end" wrap="wrap">
      <Select
        label={t('queueLabel')}
        data-testid="queue-select"
        w={300}
        allowDeselect={false}
        searchable={labels.length > 10}
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
    </Group>
  );
});

/** How many labels are saved, and how many are still on their way (a save kept and retried shows here). */
export function SaveCounts({ saved, unsaved }: { saved: number; unsaved: number }): React.JSX.Element {
  const { t } = useTranslation('review');
  return (
    <Group gap="xs">
      <Badge variant="outline" color="teal" size="lg" tt="none" data-testid="saved-count">
        {t('savedCount', { count: saved })}
      </Badge>
      {unsaved > 0 && (
        <Badge variant="light" color="orange" size="lg" tt="none" data-testid="unsaved-count">
          {t('unsavedCount', { count: unsaved })}
        </Badge>
      )}
    </Group>
  );
}
