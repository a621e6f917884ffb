import { GoToStepContext } from '../components/GoToStep';
import { Alert, Button, Group, Loader, Stepper, Title } from '@mantine/core';
import { IconArrowLeft, IconArrowRight, IconCheck } from '@tabler/icons-react';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { WIZARD_STEPS, type WizardStep } from '../../../shared/projects';
import type { StepperStepProps } from '@mantine/core';
import { useEvent, useQuery } from '../api';
import { STEP_COMPONENTS } from './steps';
import { useIsAnnotator } from '../features/team/context';

interface Props {
  readonly projectId: number;
  readonly step: WizardStep;
  readonly onStep: (step: WizardStep) => void;
  readonly onBack: () => void;
}

/** The project's wizard frame: the six steps in order, each reachable at any time. */
export function Wizard({ projectId, step: chosen, onStep, onBack }: Props): React.JSX.Element {
  const { t } = useTranslation();
  // An annotator (team mode) has the Review step only: the others are shown, greyed, and cannot be opened.
  const annotator = useIsAnnotator();
  const step: WizardStep = annotator ? 'review' : chosen;
  const open = (s: WizardStep): boolean => !annotator || s === 'review';
  const project = useQuery('projects.get', { projectId });
  const progress = useQuery('projects.progress', { projectId });
  useEvent('project.changed', (e) => {
    if (e.projectId !== projectId) return;
    project.reload();
    progress.reload();
  });
  useEvent('job.updated', (j) => {
    if (j.projectId === projectId && j.state === 'completed') progress.reload();
  });
  const index = WIZARD_STEPS.indexOf(step);
  useEffect(() => {
    document.title = project.data ? `${project.data.name} — Distillery` : 'Distillery';
  }, [project.data]);
  if (project.error) {
    return (
      <Alert color="red" title={t('error')}>
        {project.error.message}
        <Button mt="sm" variant="light" onClick={onBack}>
          {t('backToProjects')}
        </Button>
      </Alert>
    );
  }
  if (!project.data) return <Loader />;
  const StepComponent = STEP_COMPONENTS[step];
  return (
    <div data-testid="wizard">
      <Group justify="space-between" mb="md">
        <Group>
          <Button
            variant="subtle"
            leftSection={<IconArrowLeft size={16} />}
            onClick={onBack}
            data-testid="back-to-projects"
          >
            {t('backToProjects')}
          </Button>
          <Title order={2} data-testid="project-title">
            {project.data.name}
          </Title>
        </Group>
      </Group>
      <Stepper
        active={index}
        onStepClick={(i) => open(WIZARD_STEPS[i]) && onStep(WIZARD_STEPS[i])}
        allowNextStepsSelect
        size="sm"
        mb="lg"
        data-testid="wizard-steps"
        // One row at any width: the hints wrap inside their step instead of pushing the last step to a new row.
        wrap={false}
        styles={{
          step: { flex: '0 1 auto', minWidth: 0 },
          stepBody: { minWidth: 0 },
          // Separators would otherwise fill up to the open step, as if every step before it were done.
          separator: {
            backgroundColor: 'var(--mantine-color-default-border)',
            marginInline: 'var(--mantine-spacing-xs)',
            minWidth: 8,
          },
        }}
      >
        {WIZARD_STEPS.map((s, i) => (
          <RealStep
            key={s}
            done={progress.data?.[s] ?? false}
            open={i === index}
            label={t(`steps.${s}`)}
            description={t(`stepHints.${s}`)}
            data-testid={`step-${s}`}
            allowStepSelect={open(s)}
            disabled={!open(s)}
          />
        ))}
      </Stepper>
      <div data-testid={`step-panel-${step}`}>
        <GoToStepContext.Provider value={(s) => open(s) && onStep(s)}>
          <StepComponent project={project.data} onProjectChanged={project.reload} />
        </GoToStepContext.Provider>
      </div>
      <Group justify="space-between" mt="xl">
        <Button
          variant="default"
          leftSection={<IconArrowLeft size={16} />}
          disabled={index === 0 || annotator}
          onClick={() => onStep(WIZARD_STEPS[index - 1])}
          data-testid="prev-step"
        >
          {t('previous')}
        </Button>
        <Button
          rightSection={<IconArrowRight size={16} />}
          disabled={index === WIZARD_STEPS.length - 1 || annotator}
          onClick={() => onStep(WIZARD_STEPS[index + 1])}
          data-testid="next-step"
        >
          {t('next')}
        </Button>
      </Group>
    </div>
  );
}

/**
 * A stepper step whose check mark says the step is done by the project's contents. Mantine's Stepper marks every
 * step before the open one as completed (it passes `state`); that `state` is replaced here.
 */
function RealStep({
  done,
  open,
  ...props
}: StepperStepProps & { done: boolean; open: boolean; 'data-testid': string }): React.JSX.Element {
  return (
    <Stepper.Step
      {...props}
      state={done && !open ? 'stepCompleted' : open ? 'stepProgress' : 'stepInactive'}
      progressIcon={done ? <IconCheck size={16} /> : props.progressIcon}
      completedIcon={<IconCheck size={16} />}
      data-done={done}
    />
  );
}
