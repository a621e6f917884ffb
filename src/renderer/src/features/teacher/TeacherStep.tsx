import {
  Alert,
  Button,
  Card,
  Group,
  NumberInput,
  SegmentedControl,
  Stack,
  Text,
  Textarea,
  Title,
} from '@mantine/core';
import { IconPlayerPlay, IconSparkles } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Job } from '../../../../shared/jobs';
import {
  defaultPromptTemplate,
  type PreviewItem,
  type TeacherDraft,
  type TeacherEndpoint,
  type TeacherMode,
} from '../../../../shared/teacher';
import { call, errorText, useAction, useByValue, useEvent, useQuery } from '../../api';
import { JobRow } from '../../components/StatusBar';
import type { StepProps } from '../../wizard/types';
import { ModelLibrary } from './ModelLibrary';
import { DistributionBars } from './DistributionBars';
import { PromptLab } from './PromptLab';
import { LabelProbabilityBars } from '../../components/LabelProbabilityBars';
import { RunsPanel } from './RunsPanel';
import { DEFAULT_SCOPE, RunScope, scopeRequest, type RunScopeValue } from './RunScope';
import { endpointRequest, RemoteEndpoints, type EndpointDraft } from './RemoteEndpoints';

/** The Teacher step: model library and hardware, prompt, live preview, the labelling job and its results. */
export function TeacherStep({ project, onProjectChanged }: StepProps): React.JSX.Element {
  const { t, i18n } = useTranslation('teacher');
  // A multi-label project's teacher asks one yes/no question per label (direct mode only).
  const multi = project.kind === 'multi';
  const defaultTemplate = defaultPromptTemplate(project.kind, i18n.language);
  const [modelId, setModelId] = useState<number | null>(null);
  const [mode, setMode] = useState<TeacherMode>('direct');
  const [fewShot, setFewShot] = useState(0);
  const [budget, setBudget] = useState(256);
  const [template, setTemplate] = useState(defaultTemplate);
  const [endpoints, setEndpoints] = useState<EndpointDraft[]>([]);
  const [preview, setPreview] = useState<PreviewItem[] | null>(null);
  const [previewing, setPreviewing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [job, setJob] = useState<Job | null>(null);
  const [runsVersion, setRunsVersion] = useState(0);
  const [scope, setScope] = useState<RunScopeValue>(DEFAULT_SCOPE);
  // The draft is read once per project before anything is saved, so that opening the step never overwrites it.
  const [draftLoaded, setDraftLoaded] = useState(false);

  useEffect(() => {
    let live = true;
    setDraftLoaded(false);
    void Promise.all([call('teacher.draft', { projectId: project.id }), call('teacher.models', {})]).then(
      ([draft, models]) => {
        if (!live) return;
        if (draft) {
          setModelId(draft.modelId ?? models[models.length - 1]?.id ?? null);
          setMode(draft.mode);
          setFewShot(draft.fewShot);
          setBudget(draft.reasoningBudget);
          setTemplate(draft.template);
          setEndpoints(draft.endpoints.map((e) => ({ ...e })));
        } else {
          setModelId((current) => current ?? models[models.length - 1]?.id ?? null);
          setTemplate(defaultPromptTemplate(project.kind, i18n.language));
          setMode('direct');
        }
        setDraftLoaded(true);
      },
    );
    return () => {
      live = false;
    };
  }, [project.id, project.kind, i18n.language]);

  const draft: TeacherDraft = { modelId, mode, fewShot, reasoningBudget: budget, template, endpoints };
  const saved = useByValue(draft);
  // What the next run would do, asked for once the person pauses typing.
  const [planned, setPlanned] = useState<TeacherDraft | null>(null);
  useEffect(() => {
    if (!draftLoaded) return;
    const timer = setTimeout(() => {
      void call('teacher.saveDraft', {
        projectId: project.id,
        draft: { ...saved, endpoints: [...saved.endpoints] },
      });
      setPlanned(saved);
    }, 400);
    return () => clearTimeout(timer);
  }, [saved, draftLoaded, project.id]);

  useEffect(() => {
    void call('jobs.list', { projectId: project.id, activeOnly: true }).then((jobs) => {
      const active = jobs.find((j) => j.kind === 'teacher.run');
      if (active) setJob(active);
    });
  }, [project.id]);

  useEvent('job.updated', (j) => {
    if (j.kind !== 'teacher.run' || j.projectId !== project.id) return;
    setJob(j);
    if (j.state === 'completed' || j.state === 'failed') {
      setRunsVersion((v) => v + 1);
      onProjectChanged();
    }
  });

  const usable: TeacherEndpoint[] = endpoints.filter((e) => e.url.trim()).map(endpointRequest);
  const choice = {
    projectId: project.id,
    modelId: usable.length ? undefined : (modelId ?? undefined),
    endpoints: usable,
    template,
    mode,
    fewShot,
    reasoningBudget: budget,
  };
  const ready = usable.length > 0 || modelId !== null;
  const plan = useQuery(
    'teacher.plan',
    planned && (planned.modelId !== null || usable.length > 0)
      ? {
          projectId: project.id,
          modelId: usable.length ? undefined : (planned.modelId ?? undefined),
          endpoints: usable,
          template: planned.template,
          mode: planned.mode,
          fewShot: planned.fewShot,
          reasoningBudget: planned.reasoningBudget,
          ...scopeRequest(scope),
        }
      : null,
  );
  const { reload: reloadPlan } = plan;
  useEffect(() => reloadPlan(), [runsVersion, reloadPlan]);

  const runPreview = async (): Promise<void> => {
    setPreviewing(true);
    setError(null);
    try {
      setPreview(await call('teacher.preview', { ...choice, count: 5 }));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setPreviewing(false);
    }
  };

  const start = async (): Promise<void> => {
    setError(null);
    try {
      const r = await call('teacher.run', { ...choice, ...scopeRequest(scope) });
      setJob(r.job);
      // A run whose examples were all labelled before ends before the request returns.
      setJob(await call('jobs.get', { jobId: r.job.id }));
      setRunsVersion((v) => v + 1);
    } catch (e) {
      setError(errorText(e));
    }
  };

  const startRun = useAction(start);
  const timeTeacher = useAction(async () => {
    setError(null);
    try {
      await call('teacher.time', { ...choice, ...scopeRequest(scope) });
      reloadPlan();
    } catch (e) {
      setError(errorText(e));
    }
  });
  const running = job !== null && ['running', 'paused', 'queued'].includes(job.state);
  return (
    <Stack data-testid="teacher-step">
      <Text size="sm" c="dimmed">
        {t('intro')}
      </Text>
      <ModelLibrary selected={modelId} onSelect={setModelId} />

      <Card withBorder>
        <Title order={4} mb="sm">
          {t('prompt')}
        </Title>
        <Group align="flex-end" mb="sm">
          <div>
            <Text size="sm" fw={500}>
              {t('mode')}
            </Text>
            <SegmentedControl
              value={mode}
              onChange={(v) => setMode(v as TeacherMode)}
              data={[
                { value: 'direct', label: t('modeDirect') },
                { value: 'reasoning', label: t('modeReasoning'), disabled: multi },
              ]}
              data-testid="teacher-mode"
            />
            {multi && (
              <Text size="xs" c="dimmed" maw={360} data-testid="teacher-multi-mode-hint">
                {t('multi.reasoningSingleOnly')}
              </Text>
            )}
          </div>
          <NumberInput
            label={t('fewShot')}
            min={0}
            max={20}
            w={220}
            value={fewShot}
            onChange={(v) => setFewShot(Number(v) || 0)}
          />
          {mode === 'reasoning' && (
            <NumberInput
              label={t('reasoningBudget')}
              min={16}
              max={8192}
              step={64}
              w={200}
              value={budget}
              onChange={(v) => setBudget(Math.max(16, Number(v) || 16))}
              data-testid="teacher-budget"
            />
          )}
        </Group>
        <Textarea
          label={t('promptTemplate')}
          description={t('promptHint', {
            task: '{{task}}',
            labels: '{{labels}}',
            examples: '{{examples}}',
            text: '{{text}}',
            interpolation: { escapeValue: false },
          })}
          autosize
          minRows={4}
          maxRows={12}
          value={template}
          onChange={(e) => setTemplate(e.currentTarget.value)}
          data-testid="teacher-template"
        />
        {multi && (
          <Text size="xs" c="dimmed" mt={4} data-testid="teacher-multi-template-hint">
            {t('multi.templateHint', {
              text: '{{text}}',
              label: '{{label}}',
              interpolation: { escapeValue: false },
            })}
          </Text>
        )}
        <Group mt={4}>
          <Button size="xs" variant="subtle" onClick={() => setTemplate(defaultTemplate)}>
            {t('resetPrompt')}
          </Button>
        </Group>

        <RemoteEndpoints endpoints={endpoints} onChange={setEndpoints} running={running || previewing} />
      </Card>

      <PromptLab
        choice={choice}
        ready={ready}
        onUse={(v) => {
          setTemplate(v.template);
          setMode(v.mode);
          setFewShot(v.fewShot);
        }}
      />

      {error && (
        <Alert
          color="red"
          title={t('error')}
          data-testid="teacher-error"
          withCloseButton
          onClose={() => setError(null)}
        >
          {error}
        </Alert>
      )}

      <Card withBorder>
        <Group justify="space-between">
          <div>
            <Title order={4}>{t('preview')}</Title>
            <Text size="xs" c="dimmed">
              {ready ? t('previewHint') : t('chooseModel')}
            </Text>
          </div>
          <Group>
            <Button
              variant="light"
              leftSection={<IconSparkles size={16} />}
              disabled={!ready}
              loading={previewing}
              onClick={() => void runPreview()}
              data-testid="teacher-preview"
            >
              {t('preview')}
            </Button>
          </Group>
        </Group>
        <RunScope
          value={scope}
          onChange={setScope}
          plan={plan.error ? undefined : plan.data}
          onTime={() => timeTeacher.run()}
          timing={timeTeacher.pending}
          canTime={ready && !running}
        />
        <Group mt="xs" gap="sm">
          <Button
            leftSection={<IconPlayerPlay size={16} />}
            disabled={!ready || running}
            loading={startRun.pending}
            onClick={() => startRun.run()}
            data-testid="teacher-run"
          >
            {t('run')}
          </Button>
          <Text size="xs" c="dimmed">
            {t('runHint')}
          </Text>
        </Group>
        {job && (
          <div data-testid="teacher-job">
            <JobRow job={job} />
          </div>
        )}
        {previewing && (
          <Text size="sm" mt="sm">
            {t('previewing')}
          </Text>
        )}
        {preview && (
          <Stack mt="sm" gap="sm" data-testid="teacher-preview-results">
            {preview.map((item, i) => (
              <Card key={i} withBorder p="xs" data-testid="teacher-preview-item">
                <Text size="sm" lineClamp={3} mb={4}>
                  {item.text}
                </Text>
                {item.labelProbabilities ? (
                  <LabelProbabilityBars
                    labels={item.labelProbabilities.labels}
                    probs={item.labelProbabilities.probs}
                  />
                ) : item.distribution ? (
                  <>
                    <DistributionBars d={item.distribution} />
                    {item.distribution.reasoning && (
                      <Text size="xs" c="dimmed" mt={4} lineClamp={4}>
                        {t('reasoning')}: {item.distribution.reasoning}
                      </Text>
                    )}
                  </>
                ) : (
                  <Text size="sm" c="red">
                    {item.error}
                  </Text>
                )}
              </Card>
            ))}
          </Stack>
        )}
      </Card>

      <RunsPanel projectId={project.id} version={runsVersion} />
    </Stack>
  );
}
