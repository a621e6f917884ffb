import { Alert, Button, Group, Loader, Stepper, Title } from '@mantine/core';
import { IconArrowLeft, IconArrowRight } from '@tabler/icons-react';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { WIZARD_STEPS, type WizardStep } from '../../../shared/projects';
import { useEvent, useQuery } from '../api';
import { STEP_COMPONENTS } from './steps';

interface Props {
  readonly projectId: number;
  readonly step: WizardStep;
  readonly onStep: (step: WizardStep) => void;
  readonly onBack: () => void;
}

/** The project's wizard frame: the six steps in order, each reachable at any time. */
export function Wizard({ projectId, step, onStep, onBack }: Props): React.JSX.Element {
  const { t } = useTranslation();
  const project = useQuery('projects.get', { projectId });
  useEvent('project.changed', (e) => {
    if (e.projectId === projectId) project.reload();
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
        onStepClick={(i) => onStep(WIZARD_STEPS[i])}
        allowNextStepsSelect
        size="sm"
        mb="lg"
        data-testid="wizard-steps"
      >
        {WIZARD_STEPS.map((s, i) => (
          // Steps before the open one are not necessarily done: show their number, not a check mark.
          <Stepper.Step
            key={s}
            label={t(`steps.${s}`)}
            description={t(`stepHints.${s}`)}
            completedIcon={i + 1}
            data-testid={`step-${s}`}
          />
        ))}
      </Stepper>
      <div data-testid={`step-panel-${step}`}>
        <StepComponent project={project.data} onProjectChanged={project.reload} />
      </div>
      <Group justify="space-between" mt="xl">
        <Button
          variant="default"
          leftSection={<IconArrowLeft size={16} />}
          disabled={index === 0}
          onClick={() => onStep(WIZARD_STEPS[index - 1])}
          data-testid="prev-step"
        >
          {t('previous')}
        </Button>
        <Button
          rightSection={<IconArrowRight size={16} />}
          disabled={index === WIZARD_STEPS.length - 1}
          onClick={() => onStep(WIZARD_STEPS[index + 1])}
          data-testid="next-step"
        >
          {t('next')}
        </Button>
      </Group>
    </div>
  );
}
