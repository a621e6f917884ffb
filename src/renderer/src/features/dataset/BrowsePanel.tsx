import { BarChart } from '@mantine/charts';
import {
  Badge,
  Box,
  Button,
  Group,
  MultiSelect,
  NumberInput,
  Progress,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Tooltip,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconSearch } from '@tabler/icons-react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type {
  BrowseFiltersInput,
  BrowsePage,
  BrowseRow,
  BrowseTeacher,
  DatasetStats,
  LabelInfo,
} from '../../../../shared/dataset';
import { call, useByValue } from '../../api';
import { PALETTE, REFERENCE_COLOUR, seriesColour } from '../../../../shared/palette';
import { ChartCard } from '../../components/ChartCard';
import { DocumentReader, OpenReaderButton } from '../../components/DocumentReader';
import { MaskHighlight, useMaskTokens } from './MaskHighlight';

interface Props {
  readonly projectId: number;
  readonly stats: DatasetStats;
  readonly labels: readonly LabelInfo[];
  /** Changes whenever the project's data changed: the table reloads. */
  readonly version: number;
  /** A multi-label project: the label filter reads label sets (has a label, none of these, without labels). */
  readonly multi?: boolean;
  readonly onChanged: () => void;
}

const PAGE = 200;
const ROW_HEIGHT = 44;

type TeacherRun = BrowsePage['teacherRun'];

function percent(p: number): string {
  return `${(p * 100).toFixed(1)}%`;
}

/** The teacher's top label with its probability as a small bar and the entropy; the full distribution on hover. */
function TeacherCell({
  teacher,
  run,
}: {
  readonly teacher: BrowseTeacher | null;
  readonly run: TeacherRun;
}): React.JSX.Element {
  const { t } = useTranslation('dataset');
  if (!teacher || !run) {
    return (
      <Text size="xs" c="dimmed" w={170} data-testid="browse-teacher-none">
        {run ? t('browse.teacherNone') : ''}
      </Text>
    );
  }
  const distribution = (
    <Stack gap={2} data-testid="browse-teacher-distribution">
      <Text size="xs" fw={500}>
        {t('browse.teacherDistribution')}
      </Text>
      {run.labels.map((l, i) => (
        <Group key={l.id} gap="xs" wrap="nowrap" justify="space-between">
          <Text size="xs" fw={l.id === teacher.labelId ? 700 : 400}>
            {l.name}
          </Text>
          <Text size="xs" data-testid="browse-teacher-dist-prob">
            {percent(teacher.probs[i] ?? 0)}
          </Text>
        </Group>
      ))}
      <Text size="xs" c="dimmed">
        {t('browse.teacherEntropy', { value: teacher.entropy.toFixed(3) })}
      </Text>
    </Stack>
  );
  return (
    <Tooltip label={distribution} withArrow position="left" multiline w={220}>
      <Group gap={6} wrap="nowrap" w={170} data-testid="browse-teacher" data-label={teacher.label}>
        <Stack gap={2} style={{ flex: 1, minWidth: 0 }}>
          <Group gap={4} wrap="nowrap" justify="space-between">
            <Text size="xs" truncate data-testid="browse-teacher-label">
              {teacher.label}
            </Text>
            <Text size="xs" c="dimmed" data-testid="browse-teacher-prob">
              {percent(teacher.prob)}
            </Text>
          </Group>
          <Progress
            value={teacher.prob * 100}
            size="sm"
            color="grape"
            aria-label={t('browse.teacherProb', { label: teacher.label, prob: percent(teacher.prob) })}
          />
        </Stack>
        <Text
          size="xs"
          c="dimmed"
          w={38}
          ta="right"
          title={t('browse.entropyHelp')}
          data-testid="browse-teacher-entropy"
        >
          {teacher.entropy.toFixed(2)}
        </Text>
      </Group>
    </Tooltip>
  );
}

/** The data browser: filters, a virtualised table paged by keyset from SQLite, and per-label / length charts. */
export function BrowsePanel({
  projectId,
  stats,
  labels,
  version,
  onChanged,
  multi = false,
}: Props): React.JSX.Element {
  const maskTokens = useMaskTokens(projectId);
  const { t } = useTranslation('dataset');
  const [search, setSearch] = useState('');
  const [reading, setReading] = useState<number | null>(null);
  const [debounced] = useDebouncedValue(search, 300);
  const [split, setSplit] = useState<string>('');
  const [label, setLabel] = useState<string>('');
  const [without, setWithout] = useState<string[]>([]);
  const [source, setSource] = useState<string>('');
  const [minLength, setMinLength] = useState<number | ''>('');
  const [maxLength, setMaxLength] = useState<number | ''>('');
  const [excluded, setExcluded] = useState<'hide' | 'only' | 'all'>('hide');
  const [rows, setRows] = useState<BrowseRow[]>([]);
  const [teacherRun, setTeacherRun] = useState<TeacherRun>(null);
  const [indexBuilding, setIndexBuilding] = useState(false);
  const [next, setNext] = useState<number | null>(0);
  const [count, setCount] = useState<number | null>(null);
  const loading = useRef(false);
  const generation = useRef(0);

  const filters: BrowseFiltersInput = {
    search: debounced.trim() || undefined,
    split: (split || undefined) as BrowseFiltersInput['split'],
    labelId: label === '' || label === 'none' ? undefined : Number(label),
    noneOfThese: multi && label === 'none' ? true : undefined,
    withoutLabelIds: multi && without.length > 0 ? without.map(Number) : undefined,
    datasetId: source ? Number(source) : undefined,
    minLength: minLength === '' ? undefined : minLength,
    maxLength: maxLength === '' ? undefined : maxLength,
    excluded,
  };
  // The filters by value: a new object with the same content reloads nothing.
  const current = useByValue(filters);

  const loadMore = useCallback(
    async (after: number, gen: number): Promise<void> => {
      if (loading.current) return;
      loading.current = true;
      try {
        const page = await call('dataset.browse', {
          projectId,
          after,
          limit: PAGE,
          filters: current,
        });
        if (gen !== generation.current) return;
        setRows((r) => (after === 0 ? [...page.rows] : [...r, ...page.rows]));
        setTeacherRun(page.teacherRun);
        setIndexBuilding(page.searchIndexBuilding === true);
        setNext(page.nextAfter);
      } finally {
        loading.current = false;
      }
    },
    [projectId, current],
  );

  useEffect(() => {
    const gen = ++generation.current;
    loading.current = false;
    setRows([]);
    setNext(0);
    setCount(null);
    void loadMore(0, gen);
    void call('dataset.count', { projectId, filters: current }).then((c) => {
      if (gen === generation.current) setCount(c.count);
    });
  }, [projectId, current, version, loadMore]);

  const parent = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => parent.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
  });
  const items = virtualizer.getVirtualItems();
  const last = items.length ? items[items.length - 1].index : -1;
  useEffect(() => {
    if (next !== null && next !== 0 && last >= rows.length - 50) void loadMore(next, generation.current);
  }, [last, rows.length, next, loadMore]);

  const toggle = async (r: BrowseRow): Promise<void> => {
    await call('dataset.setExcluded', { projectId, exampleIds: [r.id], excluded: !r.excluded });
    onChanged();
  };

  const labelOptions = [
    { value: '', label: t('browse.all') },
    { value: '0', label: t('browse.unlabelled') },
    ...(multi ? [{ value: 'none', label: t('browse.noneOfThese') }] : []),
    ...labels.map((l) => ({
      value: String(l.id),
      label: multi ? t('browse.hasLabel', { label: l.name }) : l.name,
    })),
  ];
  const perLabel = stats.perLabel.map((l) => ({
    label: l.name ?? t('browse.unlabelled'),
    [t('split.train')]: l.counts.train,
    [t('split.validation')]: l.counts.validation,
    [t('split.test')]: l.counts.test,
    [t('split.none')]: l.counts.none,
  }));

  return (
    <Stack data-testid="browse-panel">
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <ChartCard framed title={t('browse.perLabel')}>
          <BarChart
            h={perLabel.length > 6 ? 300 : 240}
            data={perLabel}
            dataKey="label"
            type="stacked"
            withLegend
            xAxisLabel={t('browse.label')}
            yAxisLabel={t('browse.count')}
            legendProps={{ verticalAlign: 'bottom', height: 28 }}
            // Every label is named on the axis, slanted when there are many (recharts skips some by default).
            xAxisProps={{
              interval: 0,
              angle: perLabel.length > 6 ? -35 : 0,
              textAnchor: perLabel.length > 6 ? 'end' : 'middle',
              height: perLabel.length > 6 ? 70 : 30,
              tickFormatter: (v: string) => (v.length > 14 ? `${v.slice(0, 13)}…` : v),
            }}
            series={[
              { name: t('split.train'), color: seriesColour(0) },
              { name: t('split.validation'), color: seriesColour(2) },
              { name: t('split.test'), color: seriesColour(8) },
              { name: t('split.none'), color: REFERENCE_COLOUR },
            ]}
            data-testid="chart-per-label"
          />
        </ChartCard>
        <ChartCard framed title={t('browse.lengths')}>
          <BarChart
            h={220}
            data={stats.lengthHistogram.map((b) => ({ bin: b.bin, [t('browse.count')]: b.count }))}
            dataKey="bin"
            xAxisLabel={t('browse.characters')}
            yAxisLabel={t('browse.count')}
            series={[{ name: t('browse.count'), color: PALETTE[0] }]}
            data-testid="chart-lengths"
          />
        </ChartCard>
      </SimpleGrid>
      <Group align="flex-end" gap="xs">
        <TextInput
          label={t('browse.search')}
          leftSection={<IconSearch size={14} />}
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
          data-testid="browse-search"
          w={300}
          description={
            indexBuilding && search.trim() ? (
              <span data-testid="browse-index-building">{t('browse.indexBuilding')}</span>
            ) : undefined
          }
        />
        <Select
          label={t('browse.split')}
          data={[
            { value: '', label: t('browse.all') },
            { value: 'train', label: t('split.train') },
            { value: 'validation', label: t('split.validation') },
            { value: 'test', label: t('split.test') },
            { value: 'none', label: t('browse.none') },
          ]}
          value={split}
          onChange={(v) => setSplit(v ?? '')}
          data-testid="browse-split"
          w={130}
        />
        <Select
          label={t('browse.label')}
          data={labelOptions}
          value={label}
          onChange={(v) => setLabel(v ?? '')}
          data-testid="browse-label"
          searchable
          w={170}
        />
        {multi && (
          <MultiSelect
            label={t('browse.without')}
            placeholder={without.length === 0 ? t('browse.withoutNone') : undefined}
            data={labels.map((l) => ({ value: String(l.id), label: l.name }))}
            value={without}
            onChange={setWithout}
            data-testid="browse-without"
            searchable
            clearable
            w={220}
          />
        )}
        <Select
          label={t('browse.source')}
          data={[
            { value: '', label: t('browse.all') },
            ...stats.sources.map((s) => ({ value: String(s.id), label: s.name })),
          ]}
          value={source}
          onChange={(v) => setSource(v ?? '')}
          w={190}
        />
        <NumberInput
          label={t('browse.minLength')}
          value={minLength}
          onChange={(v) => setMinLength(typeof v === 'number' ? v : '')}
          min={0}
          w={110}
        />
        <NumberInput
          label={t('browse.maxLength')}
          value={maxLength}
          onChange={(v) => setMaxLength(typeof v === 'number' ? v : '')}
          min={0}
          w={110}
        />
        <Select
          label={t('browse.excluded')}
          data={[
            { value: 'hide', label: t('browse.hide') },
            { value: 'only', label: t('browse.only') },
            { value: 'all', label: t('browse.showAll') },
          ]}
          value={excluded}
          allowDeselect={false}
          onChange={(v) => setExcluded((v ?? 'hide') as 'hide' | 'only' | 'all')}
          w={150}
        />
      </Group>
      <Group justify="space-between">
        <Text size="sm" c="dimmed" data-testid="browse-count" data-count={count ?? ''}>
          {count === null ? t('browse.loading') : t('browse.matches', { count })}
        </Text>
        {teacherRun && (
          <Text size="xs" c="dimmed" data-testid="browse-teacher-run">
            {t('browse.teacherColumn', { run: teacherRun.runId })}
          </Text>
        )}
      </Group>
      <Box
        ref={parent}
        data-testid="browse-table"
        style={{
          height: 480,
          overflow: 'auto',
          border: '1px solid var(--mantine-color-default-border)',
          borderRadius: 8,
        }}
      >
        {rows.length === 0 && count === 0 && (
          <Text p="md" c="dimmed">
            {t('browse.empty')}
          </Text>
        )}
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((v) => {
            const r = rows[v.index];
            return (
              <Group
                key={r.id}
                data-testid="browse-row"
                data-example-id={r.id}
                wrap="nowrap"
                gap="sm"
                px="sm"
                style={{
                  position: 'absolute',
                  top: 0,
                  left: 0,
                  right: 0,
                  height: ROW_HEIGHT,
                  transform: `translateY(${v.start}px)`,
                  borderBottom: '1px solid var(--mantine-color-default-border)',
                  opacity: r.excluded ? 0.5 : 1,
                }}
              >
                <Text size="xs" c="dimmed" w={60}>
                  {r.id}
                </Text>
                <Text size="sm" lineClamp={1} style={{ flex: 1 }} title={r.text} data-testid="browse-text">
                  <MaskHighlight text={r.text} tokens={maskTokens} />
                </Text>
                {r.label && <Badge variant="light">{r.label}</Badge>}
                {r.labelSet?.length === 0 && (
                  <Badge variant="outline" color="gray" data-testid="browse-none-of-these">
                    {t('browse.noneOfThese')}
                  </Badge>
                )}
                {r.labelSet?.map((name) => (
                  <Badge key={name} variant="light" data-testid="browse-label-set">
                    {name}
                  </Badge>
                ))}
                {r.split && (
                  <Badge variant="outline" color={r.split === 'test' ? 'orange' : 'gray'}>
                    {t(`split.${r.split}`)}
                  </Badge>
                )}
                {r.excludeReason && (
                  <Badge color="red" variant="light">
                    {t(`reasons.${r.excludeReason}`, { defaultValue: r.excludeReason })}
                  </Badge>
                )}
                {teacherRun && <TeacherCell teacher={r.teacher} run={teacherRun} />}
                <Text size="xs" c="dimmed" w={50} ta="right">
                  {r.length}
                </Text>
                <OpenReaderButton variant="light" onOpen={() => setReading(r.id)} testId="browse-open" />
                <Button size="compact-xs" variant="subtle" onClick={() => void toggle(r)}>
                  {r.excluded ? t('browse.include') : t('browse.exclude')}
                </Button>
              </Group>
            );
          })}
        </div>
      </Box>
      <DocumentReader projectId={projectId} exampleId={reading} onClose={() => setReading(null)} />
    </Stack>
  );
}
