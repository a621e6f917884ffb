import { Alert, Anchor, Badge, Button, Group, Progress, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { QueueSpec } from '../../../../shared/review';
import { useQuery } from '../../api';
import { SetAgreementView } from './SetAgreementView';
import { actionName, detailLines, formatWhen, type DetailLine } from '../../../../shared/auditFormat';

interface Props {
  readonly projectId: number;
  /** Opens the labelling view on a queue. */
  readonly onReview: (queue: QueueSpec) => void;
}

/** The gold test set: human labels per class on the test split, and what is still missing. */
export function GoldPanel({ projectId, onReview }: Props): React.JSX.Element {
  const { t } = useTranslation('review');
  const gold = useQuery('review.gold', { projectId });
  const g = gold.data;
  if (!g) return <Text>{t('loading')}</Text>;
  return (
    <Stack gap="md" maw={800} data-testid="gold-panel">
      <Text>{t('goldIntro', { labelled: g.labelled, total: g.testTotal })}</Text>
      {g.classes.map((c) => (
        <div key={c.labelId} data-testid="gold-class" data-label={c.name} data-count={c.count}>
          <Group justify="space-between">
            <Text fw={500}>{c.name}</Text>
            <Text size="sm">
              {c.count} / {g.minPerClass}
            </Text>
          </Group>
          <Progress
            value={Math.min(100, (100 * c.count) / g.minPerClass)}
            color={c.enough ? 'teal' : 'orange'}
          />
        </div>
      ))}
      {g.warnings.length > 0 && (
        <Alert color="orange" data-testid="gold-warning" title={t('goldWarningTitle')}>
          {t('goldWarning', { labels: g.warnings.join(', '), min: g.minPerClass })}
        </Alert>
      )}
      <Group>
        <Button data-testid="gold-review" onClick={() => onReview({ kind: 'random', split: 'test' })}>
          {t('goldReview')}
        </Button>
      </Group>
    </Stack>
  );
}

const fmt = (k: number | null): string => (k === null ? '—' : k.toFixed(3));

/** Agreement between annotators and the way to their disagreements. */
export function AgreementPanel({ projectId, onReview }: Props): React.JSX.Element {
  const { t } = useTranslation('review');
  const report = useQuery('review.agreement', { projectId });
  const r = report.data;
  if (!r) return <Text>{t('loading')}</Text>;
  return (
    <Stack gap="md" data-testid="agreement-panel">
      <Text size="sm">{t('agreementIntro')}</Text>
      {r.sets ? (
        r.sets.units === 0 ? (
          <Alert color="gray">{t('agreementNone')}</Alert>
        ) : (
          <SetAgreementView sets={r.sets} annotators={r.annotators} />
        )
      ) : r.pairs.length === 0 ? (
        <Alert color="gray">{t('agreementNone')}</Alert>
      ) : (
        r.pairs.map((p) => (
          <Stack key={`${p.a}/${p.b}`} gap={4} data-testid="agreement-pair">
            <Group>
              <Text fw={600}>
                {p.a} / {p.b}
              </Text>
              <Badge variant="light">{t('kappa', { value: fmt(p.kappa) })}</Badge>
              <Text size="sm" c="dimmed">
                {t('overlap', { overlap: p.overlap, agreed: p.agreed })}
              </Text>
            </Group>
            <Table withTableBorder withColumnBorders w="auto">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>
                    {p.a} \ {p.b}
                  </Table.Th>
                  {r.labels.map((l) => (
                    <Table.Th key={l.id}>{l.name}</Table.Th>
                  ))}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {r.labels.map((l, i) => (
                  <Table.Tr key={l.id}>
                    <Table.Th>{l.name}</Table.Th>
                    {p.confusion[i].map((v, j) => (
                      <Table.Td key={j} fw={i === j ? 700 : 400}>
                        {v}
                      </Table.Td>
                    ))}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Stack>
        ))
      )}
      {r.fleiss && r.annotators.length > 2 && (
        <Text data-testid="fleiss">
          {t('fleiss', {
            value: fmt(r.fleiss.kappa),
            documents: r.fleiss.documents,
            raters: r.fleiss.raters,
          })}
        </Text>
      )}
      <Group>
        <Button
          disabled={r.disagreements === 0}
          onClick={() => onReview({ kind: 'conflicts' })}
          data-testid="review-disagreements"
        >
          {t('reviewDisagreements', { count: r.disagreements })}
        </Button>
      </Group>
    </Stack>
  );
}

/** One line of an audit entry's details: wrapped, long values shortened with a way to see them whole. */
function DetailText({ line }: { line: DetailLine }): React.JSX.Element {
  const { t } = useTranslation('review');
  const [whole, setWhole] = useState(false);
  return (
    <Text size="sm" style={{ overflowWrap: 'anywhere', whiteSpace: 'pre-wrap' }} data-testid="audit-detail">
      {line.key !== '' && <b>{line.key}: </b>}
      {whole && line.full !== null ? line.full : line.value}
      {line.full !== null && (
        <>
          {' '}
          <Anchor
            component="button"
            size="sm"
            onClick={() => setWhole((w) => !w)}
            data-testid="audit-detail-toggle"
          >
            {whole ? t('showLess') : t('showWhole')}
          </Anchor>
        </>
      )}
    </Text>
  );
}

/** Every label change of the project, newest first. */
export function AuditPanel({ projectId }: { projectId: number }): React.JSX.Element {
  const { t, i18n } = useTranslation('review');
  const rows = useQuery('review.history', { projectId, limit: 300 });
  // Looked up in the object: action keys such as 'teacher.run' contain i18next's key separator.
  const names = t('action', { returnObjects: true }) as Record<string, string>;
  const detailKeys = t('detailKey', { returnObjects: true }) as Record<string, string>;
  return (
    <Table striped data-testid="audit-log" layout="fixed">
      <Table.Thead>
        <Table.Tr>
          <Table.Th w="14%">{t('when')}</Table.Th>
          <Table.Th w="12%">{t('who')}</Table.Th>
          <Table.Th w="16%">{t('what')}</Table.Th>
          <Table.Th w="9%">{t('documentCol')}</Table.Th>
          <Table.Th w="12%">{t('labelCol')}</Table.Th>
          <Table.Th>{t('detailsCol')}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {(rows.data ?? []).map((h, i) => (
          <Table.Tr key={i} data-testid="audit-row" data-action={h.action}>
            <Table.Td data-testid="audit-when">{formatWhen(h.at, i18n.language)}</Table.Td>
            <Table.Td style={{ overflowWrap: 'anywhere' }}>{h.actor}</Table.Td>
            <Table.Td data-testid="audit-action">{actionName(h.action, (a) => names[a] ?? null)}</Table.Td>
            <Table.Td>{h.exampleId ?? ''}</Table.Td>
            <Table.Td style={{ overflowWrap: 'anywhere' }}>{h.labelName ?? ''}</Table.Td>
            <Table.Td>
              {h.source ? t(`source.${h.source}`) : ''}
              {h.acceptedTeacher === true ? ` · ${t('acceptedTeacher')}` : ''}
              {h.acceptedTeacher === false ? ` · ${t('overrodeTeacher')}` : ''}
              {h.timeSpentMs !== null ? ` · ${(h.timeSpentMs / 1000).toFixed(1)} s` : ''}
              {detailLines(h.details, (k) => detailKeys[k] ?? null).map((line, j) => (
                <DetailText key={j} line={line} />
              ))}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
