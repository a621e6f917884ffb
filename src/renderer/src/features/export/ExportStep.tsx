import { GoToStep } from '../../components/GoToStep';
import {
  Alert,
  Button,
  Checkbox,
  Group,
  Loader,
  Select,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
} from '@mantine/core';
import { IconFileExport, IconPlayerPlay } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ExportResult, PlaygroundResult } from '../../../../shared/export';
import { call, useAction, useQuery } from '../../api';
import type { StepProps } from '../../wizard/types';
import { SaveFileLink } from '../../components/FileActions';
import { BackupPanel } from './BackupPanel';
import { DiskPanel } from './DiskPanel';
import { BatchPanel } from './BatchPanel';
import { DistributionView } from './Distribution';
import { ErrorAlert, StepCard } from './StepCard';
import { useRequest } from './useRequest';

function Playground({
  projectId,
  runId,
  teacherAvailable,
  text,
  setText,
}: {
  projectId: number;
  runId: number;
  teacherAvailable: boolean;
  /** Kept by the step, so that switching model keeps what was typed. */
  text: string;
  setText: (text: string) => void;
}): React.JSX.Element {
  const { t } = useTranslation('export');
  const [withTeacher, setWithTeacher] = useState(false);
  const { busy, result, error, send } = useRequest<PlaygroundResult>();
  const run = (): Promise<void> =>
    send(() => call('export.playground', { projectId, runId, text, withTeacher }));
  const teacher = result?.teacher ?? null;
  return (
    <StepCard testId="playground" title={t('playground')} hint={t('playgroundHint')}>
      <Textarea
        autosize
        minRows={4}
        maxRows={12}
        value={text}
        placeholder={t('textPlaceholder')}
        onChange={(e) => setText(e.currentTarget.value)}
        data-testid="playground-text"
      />
      <Group justify="space-between">
        <Checkbox
          label={teacherAvailable ? t('withTeacher') : t('noTeacher')}
          disabled={!teacherAvailable}
          checked={withTeacher}
          onChange={(e) => setWithTeacher(e.currentTarget.checked)}
        />
        <Button
          leftSection={<IconPlayerPlay size={16} />}
          onClick={() => void run()}
          loading={busy}
          disabled={!text.trim()}
          data-testid="playground-predict"
        >
          {t('predict')}
        </Button>
      </Group>
      <ErrorAlert error={error} />
      {result && (
        <SimpleGrid cols={teacher ? 2 : 1}>
          <DistributionView title={t('student')} d={result.student} testId="playground-student" />
          {teacher &&
            ('error' in teacher ? (
              <Alert color="yellow" data-testid="playground-teacher-error">
                {t('teacherError', { message: teacher.error })}
              </Alert>
            ) : (
              <DistributionView title={t('teacher')} d={teacher} testId="playground-teacher" />
            ))}
        </SimpleGrid>
      )}
    </StepCard>
  );
}

function ExportPanel({ projectId, runId }: { projectId: number; runId: number }): React.JSX.Element {
  const { t } = useTranslation('export');
  const { busy, result, error, send } = useRequest<ExportResult>();
  const exportAction = useAction(() => send(() => call('export.student', { projectId, runId })));
  return (
    <StepCard testId="export-panel" title={t('exportTitle')} hint={t('exportHint')}>
      <Group>
        <Button
          leftSection={<IconFileExport size={16} />}
          onClick={() => exportAction.run()}
          loading={busy || exportAction.pending}
          data-testid="export-student"
        >
          {t('exportButton')}
        </Button>
      </Group>
      <ErrorAlert error={error} />
      {result && (
        <Alert color="green" data-testid="export-result" data-dir={result.dir}>
          <Stack gap={4}>
            <Text size="sm" style={{ wordBreak: 'break-all' }}>
              {t('exported', { dir: result.dir })}
            </Text>
            <Text size="sm">
              {t('exportedFiles', { count: result.files.length })} ·{' '}
              {result.hasReport ? t('withReport') : t('withoutReport')}
            </Text>
            {result.zipPath && result.zipName && (
              <SaveFileLink path={result.zipPath} fileName={result.zipName} testId="export-download">
                {t('downloadZip')}
              </SaveFileLink>
            )}
          </Stack>
        </Alert>
      )}
    </StepCard>
  );
}

/** The Export step: try the student, export it, predict files, and back up or restore the project. */
export function ExportStep({ project }: StepProps): React.JSX.Element {
  const { t } = useTranslation('export');
  const overview = useQuery('export.overview', { projectId: project.id });
  const [chosen, setChosen] = useState<number | null>(null);
  const [playgroundText, setPlaygroundText] = useState('');
  if (overview.error) {
    return (
      <Alert color="red" title={t('error')}>
        {overview.error.message}
      </Alert>
    );
  }
  if (!overview.data) return <Loader />;
  const models = overview.data.models;
  // The evaluated model with a saved threshold is the one meant for use: preselect it over a newer, unevaluated one.
  const model =
    models.find((m) => m.runId === chosen) ??
    models.find((m) => m.threshold || m.labelThresholdSource === 'saved') ??
    models[0];
  return (
    <Stack data-testid="export-step">
      {model ? (
        <>
          <Group align="flex-end">
            <Select
              label={t('model')}
              w={320}
              allowDeselect={false}
              value={String(model.runId)}
              data={models.map((m) => ({
                value: String(m.runId),
                label: t('modelOption', { runId: m.runId, date: new Date(m.createdAt).toLocaleString() }),
              }))}
              onChange={(v) => setChosen(v ? Number(v) : null)}
              data-testid="export-model-select"
            />
            <Text size="sm" c="dimmed" pb={6} maw={520} data-testid="export-threshold-info">
              {model.kind === 'multi'
                ? t(model.labelThresholdSource === 'saved' ? 'thresholdsSaved' : 'thresholdsModel')
                : model.threshold
                  ? t('thresholdInfo', {
                      label: model.threshold.label,
                      value: model.threshold.threshold.toFixed(3),
                    })
                  : t('thresholdNone')}
            </Text>
          </Group>
          <Playground
            key={model.runId}
            projectId={project.id}
            runId={model.runId}
            teacherAvailable={overview.data.teacherAvailable}
            text={playgroundText}
            setText={setPlaygroundText}
          />
          <SimpleGrid cols={{ base: 1, lg: 2 }}>
            <ExportPanel key={`e${model.runId}`} projectId={project.id} runId={model.runId} />
            <BatchPanel
              key={`b${model.runId}`}
              projectId={project.id}
              runId={model.runId}
              multi={model.kind === 'multi'}
            />
          </SimpleGrid>
        </>
      ) : (
        <Alert title={t('noModel')} data-testid="export-no-model">
          {t('noModelBody')}
          <div>
            <GoToStep step="train" />
          </div>
        </Alert>
      )}
      <BackupPanel project={project} />
      <DiskPanel project={project} />
    </Stack>
  );
}
