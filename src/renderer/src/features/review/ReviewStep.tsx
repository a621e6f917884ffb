import { GoToStep } from '../../components/GoToStep';
import { Alert, Badge, Button, Group, Loader, Stack, Tabs, Text, TextInput } from '@mantine/core';
import { IconUser } from '@tabler/icons-react';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { QueueSpec, ReviewItem, ReviewState } from '../../../../shared/review';
import { labelColour } from '../../../../shared/palette';
import { call, errorText } from '../../api';
import type { StepProps } from '../../wizard/types';
import { BulkPanel } from './BulkPanel';
import { ExchangePanel } from './ExchangePanel';
import { AgreementPanel, AuditPanel, GoldPanel } from './InsightPanels';
import { LabelPanel } from './LabelPanel';
import { useTeam } from '../team/context';
import { TeamPanel } from '../team/TeamPanel';

const TABS = ['label', 'bulk', 'gold', 'agreement', 'audit', 'exchange', 'team'] as const;
type Tab = (typeof TABS)[number];
/** In team mode an annotator labels, and sees the team's progress; nothing else. */
const ANNOTATOR_TABS: readonly Tab[] = ['label', 'team'];

/** The Review step: label and review documents, bulk-accept, the gold test set, agreement, audit and merging. */
export function ReviewStep({ project, onProjectChanged }: StepProps): React.JSX.Element {
  const { t } = useTranslation('review');
  const { t: tTeam } = useTranslation('team');
  const [state, setState] = useState<ReviewState | null>(null);
  const [annotator, setAnnotator] = useState<string | null>(null);
  const [draft, setDraft] = useState('');
  const [queue, setQueue] = useState<QueueSpec>({ kind: 'unreviewed' });
  const [item, setItem] = useState<ReviewItem | null>(null);
  const [tab, setTab] = useState<Tab>('label');
  const [version, setVersion] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const projectId = project.id;
  const team = useTeam();
  const tabs =
    team === null ? TABS.filter((k) => k !== 'team') : team.user.role === 'annotator' ? ANNOTATOR_TABS : TABS;

  useEffect(() => {
    // Team mode: the annotator is the logged-in person, never a typed name.
    if (team) setAnnotator(team.user.username);
    else void call('settings.get', {}).then((s) => setAnnotator(s.annotator));
  }, [team]);

  useEffect(() => {
    if (annotator === null) return;
    let live = true;
    call('review.state', { projectId, annotator }).then(
      (s) => {
        if (!live) return;
        setState(s);
        setQueue(s.position?.queue ?? { kind: 'unreviewed' });
        setItem(s.item);
        setDraft(s.annotator);
      },
      (e: unknown) => live && setError(errorText(e)),
    );
    return () => {
      live = false;
    };
  }, [projectId, annotator]);

  const openQueue = useCallback(
    (q: QueueSpec): void => {
      setQueue(q);
      setTab('label');
      void call('review.next', {
        projectId,
        queue: q,
        exampleId: null,
        annotator: annotator ?? undefined,
      }).then(setItem, (e: unknown) => setError(errorText(e)));
    },
    [projectId, annotator],
  );

  const switchAnnotator = async (): Promise<void> => {
    const name = draft.trim();
    if (!name || name === annotator) return;
    const s = await call('settings.update', { annotator: name });
    setState(null);
    setAnnotator(s.annotator);
  };

  const colourOf = useCallback(
    (labelId: number): string | undefined => {
      const i = state?.labels.findIndex((l) => l.id === labelId) ?? -1;
      return i < 0 ? undefined : labelColour(state?.labels[i].color, i);
    },
    [state],
  );

  const changed = useCallback((): void => {
    setVersion((v) => v + 1);
    onProjectChanged();
  }, [onProjectChanged]);

  if (error) return <Alert color="red">{error}</Alert>;
  if (!state || annotator === null) return <Loader />;
  if (state.labels.length === 0) {
    return (
      <Alert color="gray" data-testid="review-no-labels">
        {t('noLabels')}
        <div>
          <GoToStep step="data" />
        </div>
      </Alert>
    );
  }
  return (
    <Stack gap="md" data-testid="review-step">
      <Group justify="space-between">
        <Group gap="xs">
          <IconUser size={18} />
          <Text size="sm">{t('labellingAs')}</Text>
          <Badge size="lg" tt="none" data-testid="current-annotator">
            {annotator}
          </Badge>
        </Group>
        {team === null && (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void switchAnnotator();
            }}
          >
            <Group gap="xs">
              <TextInput
                size="xs"
                aria-label={t('annotatorName')}
                placeholder={t('annotatorName')}
                data-testid="annotator-input"
                value={draft}
                onChange={(e) => setDraft(e.currentTarget.value)}
                list="review-annotators"
              />
              <datalist id="review-annotators">
                {state.annotators.map((a) => (
                  <option key={a} value={a} />
                ))}
              </datalist>
              <Button size="xs" type="submit" variant="light" data-testid="annotator-switch">
                {t('switchAnnotator')}
              </Button>
            </Group>
          </form>
        )}
      </Group>
      <Tabs value={tab} onChange={(v) => v && setTab(v as Tab)} keepMounted={false}>
        <Tabs.List mb="md">
          {tabs.map((k) => (
            <Tabs.Tab key={k} value={k} data-testid={`review-tab-${k}`}>
              {k === 'team' ? tTeam('teamTab') : t(`tab.${k}`)}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        <Tabs.Panel value="label">
          <LabelPanel
            projectId={projectId}
            annotator={annotator}
            labels={state.labels}
            kind={state.kind}
            colourOf={colourOf}
            queue={queue}
            onQueue={openQueue}
            item={item}
            onItem={setItem}
            version={version}
          />
        </Tabs.Panel>
        <Tabs.Panel value="bulk">
          <BulkPanel
            projectId={projectId}
            annotator={annotator}
            labels={state.labels}
            multi={state.kind === 'multi'}
            onChanged={changed}
          />
        </Tabs.Panel>
        <Tabs.Panel value="gold">
          <GoldPanel projectId={projectId} onReview={openQueue} />
        </Tabs.Panel>
        <Tabs.Panel value="agreement">
          <AgreementPanel projectId={projectId} onReview={openQueue} />
        </Tabs.Panel>
        <Tabs.Panel value="audit">
          <AuditPanel projectId={projectId} />
        </Tabs.Panel>
        <Tabs.Panel value="exchange">
          <ExchangePanel projectId={projectId} onChanged={changed} />
        </Tabs.Panel>
        <Tabs.Panel value="team">
          <TeamPanel projectId={projectId} labels={state.labels} multi={state.kind === 'multi'} />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
