import { BarChart } from '@mantine/charts';
import { Alert, Button, Group, Modal, Progress, Select, Slider, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { jobResult, type Job } from '../../../../shared/jobs';
import type { QueueSpec, ReviewState } from '../../../../shared/review';
import { call, errorText, useEvent, useQuery } from '../../api';
import { PALETTE } from '../../../../shared/palette';
import { GoToStep } from '../../components/GoToStep';
import { DialogActions } from '../../components/DialogActions';

interface Props {
  readonly projectId: number;
  readonly annotator: string;
  readonly labels: ReviewState['labels'];
  readonly multi: boolean;
  readonly onChanged: () => void;
}

/** Accept the teacher's label above a confidence, for a filtered set, after seeing what it will change. */
export function BulkPanel({ projectId, annotator, labels, multi, onChanged }: Props): React.JSX.Element {
  const { t } = useTranslation('review');
  const [threshold, setThreshold] = useState(0.9);
  // The slider moves freely; the preview is asked for when it is let go.
  const [sliding, setSliding] = useState(0.9);
  const [split, setSplit] = useState<string>('any');
  const [teacherLabel, setTeacherLabel] = useState<string>('any');
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  // 'any' means training and validation: the core never bulk-accepts on the test split.
  const chosenSplit = split === 'any' ? null : (split as 'train' | 'validation');
  const queue: QueueSpec =
    teacherLabel === 'any'
      ? { kind: 'unreviewed', split: chosenSplit }
      : { kind: 'label', labelId: Number(teacherLabel), split: chosenSplit };
  const preview = useQuery('review.bulkPreview', { projectId, queue, minConfidence: threshold });
  const jobRef = useRef<number | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const finish = (job: Job): void => {
    if (job.id !== jobRef.current) return;
    if (job.state === 'running' || job.state === 'paused' || job.state === 'queued') {
      setProgress(job.progress.total > 0 ? (100 * job.progress.done) / job.progress.total : 0);
      return;
    }
    jobRef.current = null;
    setBusy(false);
    setProgress(null);
    if (job.state === 'completed') {
      const accepted = jobResult(job, 'review.bulkAccept')?.accepted ?? 0;
      notifications.show({ color: 'teal', message: t('bulkDone', { count: accepted }) });
    } else {
      notifications.show({ color: 'orange', message: job.error ?? t(`bulkEnded.${job.state}`) });
    }
    onChanged();
    preview.reload();
  };
  useEvent('job.updated', finish);
  const accept = async (): Promise<void> => {
    setBusy(true);
    setConfirming(false);
    try {
      const job = await call('review.bulkAccept', { projectId, queue, minConfidence: threshold, annotator });
      jobRef.current = job.id;
      // It may have ended before this answer arrived.
      finish(await call('jobs.get', { jobId: job.id }));
    } catch (e) {
      setBusy(false);
      notifications.show({ color: 'red', message: errorText(e) });
    }
  };
  const p = preview.data;
  if (p && !p.hasTeacher) {
    return (
      <Alert color="gray" data-testid="bulk-no-teacher">
        {t('bulkNoTeacher')}
        <GoToStep step="teacher" />
      </Alert>
    );
  }
  return (
    <Stack gap="md" maw={900}>
      <Text size="sm">{t(multi ? 'bulkIntroMulti' : 'bulkIntro')}</Text>
      <Text size="sm" c="dimmed" data-testid="bulk-no-test">
        {t('bulkNoTest')}
      </Text>
      <Group align="flex-end">
        <Select
          label={t('split')}
          w={180}
          allowDeselect={false}
          value={split}
          onChange={(v) => v && setSplit(v)}
          data={[
            { value: 'any', label: t('bulkSplitAny') },
            { value: 'train', label: t('splitTrain') },
            { value: 'validation', label: t('splitValidation') },
          ]}
          data-testid="bulk-split"
        />
        <Select
          label={t(multi ? 'teacherLabelMulti' : 'teacherLabel')}
          w={220}
          allowDeselect={false}
          value={teacherLabel}
          onChange={(v) => v && setTeacherLabel(v)}
          data={[
            { value: 'any', label: t('anyLabel') },
            ...labels.map((l) => ({ value: String(l.id), label: l.name })),
          ]}
        />
      </Group>
      <div>
        <Text size="sm" mb={4}>
          {t('minConfidence', { value: Math.round(sliding * 100) })}
        </Text>
        <Slider
          data-testid="bulk-threshold"
          min={0.5}
          max={1}
          step={0.01}
          value={sliding}
          onChange={setSliding}
          onChangeEnd={setThreshold}
          label={(v) => `${Math.round(v * 100)}%`}
          marks={[0.5, 0.6, 0.7, 0.8, 0.9, 1].map((v) => ({ value: v, label: `${Math.round(v * 100)}%` }))}
        />
      </div>
      {p && (
        <>
          <Text fw={600} mt="md" data-testid="bulk-count" data-count={p.count}>
            {t('bulkWould', { count: p.count })}
          </Text>
          <Text size="sm" c="dimmed">
            {p.byLabel.map((b) => `${b.name}: ${b.count}`).join(' · ')}
            {multi && p.emptySets > 0 ? ` · ${t('bulkEmptySets', { count: p.emptySets })}` : ''}
          </Text>
          <BarChart
            h={200}
            data={p.curve.map((c) => ({ threshold: `${Math.round(c.threshold * 100)}%`, count: c.count }))}
            dataKey="threshold"
            xAxisLabel={t('threshold')}
            yAxisLabel={t('documents')}
            withLegend
            series={[{ name: 'count', label: t('documents'), color: PALETTE[0] }]}
          />
        </>
      )}
      {progress !== null && <Progress value={progress} animated data-testid="bulk-progress" />}
      <Group>
        <Button
          data-testid="bulk-accept"
          disabled={!p || p.count === 0}
          loading={busy}
          onClick={() => setConfirming(true)}
        >
          {t('bulkAccept', { count: p?.count ?? 0 })}
        </Button>
      </Group>
      <Modal opened={confirming} onClose={() => setConfirming(false)} title={t('bulkConfirmTitle')}>
        <Text size="sm" mb="md">
          {t('bulkConfirm', { count: p?.count ?? 0, annotator })}
        </Text>
        <DialogActions onCancel={() => setConfirming(false)}>
          <Button data-testid="bulk-confirm" loading={busy} onClick={() => void accept()}>
            {t('bulkAccept', { count: p?.count ?? 0 })}
          </Button>
        </DialogActions>
      </Modal>
    </Stack>
  );
}
