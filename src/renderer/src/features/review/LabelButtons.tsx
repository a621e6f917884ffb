import { Button, Kbd, ScrollArea, Stack, Text, TextInput } from '@mantine/core';
import { memo, useState, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import type { ReviewState } from '../../../../shared/review';

/** With more labels than this, a filter box shows above the buttons. */
export const FILTER_THRESHOLD = 10;

interface Props {
  readonly labels: ReviewState['labels'];
  /** The key of each label (shared/labelKeys.ts): the hint shown is the key that works. */
  readonly keys: ReadonlyMap<number, readonly string[]>;
  /** The labels shown as chosen: this person's label, or the set being built. */
  readonly selected: ReadonlySet<number>;
  readonly multi: boolean;
  readonly disabled: boolean;
  readonly onPick: (labelId: number) => void;
  readonly filterRef: RefObject<HTMLInputElement | null>;
  readonly colourOf: (labelId: number) => string | undefined;
}

/**
 * The label buttons, one per line in a column that scrolls on its own beside the text, however many labels there
 * are; with many, a filter box (/ to reach it, Enter picks the first match, Escape clears).
 */
export const LabelButtons = memo(function LabelButtons({
  labels,
  keys,
  selected,
  multi,
  disabled,
  onPick,
  filterRef,
  colourOf,
}: Props): React.JSX.Element {
  const { t } = useTranslation('review');
  const [filter, setFilter] = useState('');
  const needle = filter.trim().toLowerCase();
  const visible =
    labels.length > FILTER_THRESHOLD && needle
      ? labels.filter((l) => l.name.toLowerCase().includes(needle))
      : labels;
  return (
    <Stack gap={6}>
      {labels.length > FILTER_THRESHOLD && (
        <TextInput
          ref={filterRef}
          size="xs"
          placeholder={t(multi ? 'filterLabelsMulti' : 'filterLabels')}
          aria-label={t(multi ? 'filterLabelsMulti' : 'filterLabels')}
          data-testid="label-filter"
          value={filter}
          onChange={(e) => setFilter(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && visible.length > 0) {
              e.preventDefault();
              onPick(visible[0].id);
              setFilter('');
              e.currentTarget.blur();
            } else if (e.key === 'Escape') {
              setFilter('');
              e.currentTarget.blur();
            }
          }}
        />
      )}
      <ScrollArea.Autosize mah="55vh" type="auto" offsetScrollbars>
        <Stack gap={4} data-testid="label-buttons">
          {visible.map((l) => {
            const on = selected.has(l.id);
            const own = keys.get(l.id) ?? [];
            return (
              <Button
                key={l.id}
                color={colourOf(l.id)}
                variant={on ? 'filled' : 'light'}
                disabled={disabled}
                onClick={(e) => {
                  onPick(l.id);
                  // Enter then saves (or accepts) instead of pressing this button again.
                  e.currentTarget.blur();
                }}
                data-testid={`label-${l.name}`}
                data-selected={on}
                aria-pressed={multi ? on : undefined}
                title={l.description}
                justify="space-between"
                fullWidth
                rightSection={
                  own.length > 0 ? (
                    <span data-testid="label-keys" data-keys={own.join(' ')}>
                      {own.map((k) => (
                        <Kbd key={k} size="xs" ml={4}>
                          {k.toUpperCase()}
                        </Kbd>
                      ))}
                    </span>
                  ) : undefined
                }
              >
                {l.name}
              </Button>
            );
          })}
          {visible.length === 0 && (
            <Text size="sm" c="dimmed">
              {t('filterNone')}
            </Text>
          )}
        </Stack>
      </ScrollArea.Autosize>
    </Stack>
  );
});
