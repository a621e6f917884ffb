import {
  Alert,
  Badge,
  Button,
  Card,
  Chip,
  Group,
  MultiSelect,
  NumberInput,
  Slider,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ReviewItem } from '../../../../shared/review';
import { call, errorText, useAction, useEvent, useQuery } from '../../api';
import { useTeam } from './context';

interface Props {
  readonly projectId: number;
  readonly labels: ReadonlyArray<{ id: number; name: string }>;
  /** A multi-label project's conflicts are decided with a whole set of labels. */
  readonly multi?: boolean;
}

/**
 * The Review step's Team tab: everyone's progress and speed (live), and for a lead the assignment of documents with
 * an overlap and the adjudication of conflicts.
 */
export function TeamPanel({ projectId, labels, multi = false }: Props): React.JSX.Element {
  const { t } = useTranslation('team');
  const team = useTeam();
  const lead = team !== null && team.user.role !== 'annotator';
  const progress = useQuery('team.progress', { projectId });
  useEvent('project.changed', (e) => {
    if (e.projectId === projectId) progress.reload();
  });
  return (
    <Stack data-testid="team-panel">
      <Card withBorder>
        <Title order={5} mb="xs">
          {t('progressTitle')}
        </Title>
        {progress.error && <Alert color="red">{progress.error.message}</Alert>}
        <Table striped data-testid="team-progress">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('colPerson')}</Table.Th>
              <Table.Th>{t('colAssigned')}</Table.Th>
              <Table.Th>{t('colDone')}</Table.Th>
              <Table.Th>{t('colLabelled')}</Table.Th>
              <Table.Th>{t('colSpeed')}</Table.Th>
              <Table.Th>{t('colLast')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(progress.data?.annotators ?? []).map((p) => (
              <Table.Tr key={p.username} data-testid={`progress-${p.username}`}>
                <Table.Td>{p.username}</Table.Td>
                <Table.Td>{p.assigned}</Table.Td>
                <Table.Td data-testid={`progress-done-${p.username}`}>{p.done}</Table.Td>
                <Table.Td>{p.labelled}</Table.Td>
                <Table.Td>{p.medianSeconds ?? '—'}</Table.Td>
                <Table.Td>{p.lastLabelAt ? new Date(p.lastLabelAt).toLocaleTimeString() : '—'}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        {progress.data && (
          <Text size="sm" mt="xs" data-testid="team-conflicts">
            {t('openConflicts', { count: progress.data.openConflicts, done: progress.data.adjudicated })}
          </Text>
        )}
      </Card>
      {lead && <AssignCard projectId={projectId} onDone={progress.reload} />}
      {lead && (
        <AdjudicateCard projectId={projectId} labels={labels} multi={multi} onDone={progress.reload} />
      )}
    </Stack>
  );
}

function AssignCard({ projectId, onDone }: { projectId: number; onDone: () => void }): React.JSX.Element {
  const { t } = useTranslation('team');
  const users = useQuery('team.users', {});
  const [chosen, setChosen] = useState<string[]>([]);
  const [overlap, setOverlap] = useState(10);
  const [limit, setLimit] = useState<number | string>('');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const assign = useAction(async () => {
    try {
      const r = await call('team.assign', {
        projectId,
        annotators: chosen,
        overlap: overlap / 100,
        limit: typeof limit === 'number' && limit > 0 ? limit : undefined,
      });
      setMessage({
        ok: true,
        text: t('assigned', {
          assigned: r.assigned,
          overlapping: r.overlapping,
          names: r.annotators.join(', '),
        }),
      });
      onDone();
    } catch (e) {
      setMessage({ ok: false, text: errorText(e) });
    }
  });
  return (
    <Card withBorder data-testid="assign-card">
      <Title order={5}>{t('assignTitle')}</Title>
      <Text size="sm" c="dimmed" mb="sm">
        {t('assignIntro')}
      </Text>
      <Stack>
        <MultiSelect
          label={t('annotators')}
          data={(users.data ?? []).filter((u) => !u.disabled).map((u) => u.username)}
          value={chosen}
          onChange={setChosen}
          searchable
          data-testid="assign-annotators"
        />
        <div>
          <Text size="sm">{t('overlap', { percent: overlap })}</Text>
          <Slider
            min={0}
            max={100}
            step={5}
            value={overlap}
            onChange={setOverlap}
            label={(v) => `${v}%`}
            data-testid="assign-overlap"
          />
        </div>
        <NumberInput label={t('limit')} min={1} value={limit} onChange={setLimit} w={260} />
        {message && (
          <Alert color={message.ok ? 'green' : 'red'} data-testid="assign-result">
            {message.text}
          </Alert>
        )}
        <Group>
          <Button
            onClick={() => assign.run()}
            loading={assign.pending}
            disabled={chosen.length === 0}
            data-testid="assign-submit"
          >
            {t('assign')}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

function AdjudicateCard({
  projectId,
  labels,
  multi,
  onDone,
}: {
  projectId: number;
  labels: ReadonlyArray<{ id: number; name: string }>;
  multi: boolean;
  onDone: () => void;
}): React.JSX.Element {
  const { t } = useTranslation('team');
  const [item, setItem] = useState<ReviewItem | null | undefined>(undefined);
  const [chosen, setChosen] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const load = async (): Promise<void> => {
    try {
      setItem(await call('review.next', { projectId, queue: { kind: 'conflicts' }, exampleId: null }));
      setChosen([]);
    } catch (e) {
      setError(errorText(e));
    }
  };
  const open = useAction(load);
  const decide = useAction(async (answer: { labelId: number } | { labelSet: number[] }) => {
    if (!item) return;
    try {
      await call('team.adjudicate', { projectId, exampleId: item.exampleId, ...answer });
      onDone();
      await load();
    } catch (e) {
      setError(errorText(e));
    }
  });
  const nameOf = new Map(labels.map((l) => [l.id, l.name]));
  const given = (h: ReviewItem['history'][number]): string | null => {
    if (h.labelSet !== null) {
      return h.labelSet.length === 0
        ? t('noneOfThese')
        : h.labelSet.map((id) => nameOf.get(id) ?? '—').join(t('setSeparator'));
    }
    return h.labelId === null ? null : (h.labelName ?? '—');
  };
  const latest = new Map<string, string>();
  for (const h of item?.history ?? []) {
    const text = h.retractedAt === null ? given(h) : null;
    if (text !== null && !latest.has(h.annotator)) latest.set(h.annotator, text);
  }
  return (
    <Card withBorder data-testid="adjudicate-card">
      <Title order={5} mb="xs">
        {t('adjudicate')}
      </Title>
      {error && <Alert color="red">{error}</Alert>}
      {item === undefined && (
        <Button
          variant="light"
          onClick={() => open.run()}
          loading={open.pending}
          data-testid="adjudicate-open"
        >
          {t('adjudicate')}
        </Button>
      )}
      {item === null && <Text data-testid="adjudicate-none">{t('noConflicts')}</Text>}
      {item && (
        <Stack data-testid="adjudicate-item">
          <Text size="sm" c="dimmed">
            {t('adjudicateIntro')}
          </Text>
          <Text style={{ whiteSpace: 'pre-wrap' }} lineClamp={8}>
            {item.text}
          </Text>
          <Group gap="xs">
            <Text size="sm">{t('labelsGiven')}:</Text>
            {[...latest].map(([who, name]) => (
              <Badge key={who} variant="light" tt="none">
                {who}: {name}
              </Badge>
            ))}
          </Group>
          {multi ? (
            <Stack gap="xs">
              <Text size="sm">{t('decideSetIntro')}</Text>
              <Chip.Group multiple value={chosen} onChange={setChosen}>
                <Group gap="xs">
                  {labels.map((l) => (
                    // A Chip's own props go to its hidden checkbox: the test id goes on what a person clicks.
                    <Chip
                      key={l.id}
                      value={String(l.id)}
                      wrapperProps={{ 'data-testid': `adjudicate-toggle-${l.name}` }}
                    >
                      {l.name}
                    </Chip>
                  ))}
                </Group>
              </Chip.Group>
              <Group>
                <Button
                  loading={decide.pending}
                  onClick={() => decide.run({ labelSet: chosen.map(Number) })}
                  data-testid="adjudicate-set"
                >
                  {chosen.length === 0
                    ? t('decideNone')
                    : t('decide', {
                        label: chosen.map((id) => nameOf.get(Number(id)) ?? '—').join(t('setSeparator')),
                      })}
                </Button>
              </Group>
            </Stack>
          ) : (
            <Group>
              {labels.map((l) => (
                <Button
                  key={l.id}
                  variant="default"
                  loading={decide.pending}
                  onClick={() => decide.run({ labelId: l.id })}
                  data-testid={`adjudicate-${l.name}`}
                >
                  {t('decide', { label: l.name })}
                </Button>
              ))}
            </Group>
          )}
        </Stack>
      )}
    </Card>
  );
}
