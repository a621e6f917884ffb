import { AppShell, Group, Loader, SegmentedControl, Select, Title } from '@mantine/core';
import { IconFlask } from '@tabler/icons-react';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import type { Language, Theme } from '../../shared/app';
import { WIZARD_STEPS, type WizardStep } from '../../shared/projects';
import { useQuery } from './api';
import { StatusBar } from './components/StatusBar';
import { ProjectList } from './features/projects/ProjectList';
import { useAppSettings } from './settings/useAppSettings';
import { Wizard } from './wizard/Wizard';
import { UserMenu } from './features/team/UserMenu';

function asStep(s: string | null): WizardStep {
  return (WIZARD_STEPS as readonly string[]).includes(s ?? '') ? (s as WizardStep) : 'data';
}

/** The app frame: header (language, theme), the project list or a project's wizard, and the status bar. */
export function App(): React.JSX.Element {
  const { t, i18n } = useTranslation();
  const info = useQuery('app.info', {});
  const { settings, update } = useAppSettings();

  useEffect(() => {
    document.documentElement.lang = i18n.language;
  }, [i18n.language]);

  if (!settings) {
    return (
      <Group justify="center" mt="xl">
        <Loader />
      </Group>
    );
  }

  const projectId = settings.lastProjectId;
  const step = asStep(settings.lastStep);
  return (
    <AppShell header={{ height: 56 }} footer={{ height: 32 }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Group gap="xs">
            <IconFlask />
            <Title order={3}>{t('appName')}</Title>
          </Group>
          <Group>
            <UserMenu />
            <Select
              aria-label={t('language')}
              data-testid="language-select"
              w={130}
              size="xs"
              allowDeselect={false}
              value={settings.language}
              data={[
                { value: 'en', label: 'English' },
                { value: 'zh-CN', label: '简体中文' },
              ]}
              onChange={(v) => {
                if (v) update({ language: v as Language });
              }}
            />
            <SegmentedControl
              size="xs"
              aria-label={t('theme')}
              data-testid="theme-control"
              value={settings.theme}
              data={[
                { value: 'light', label: t('themeLight') },
                { value: 'dark', label: t('themeDark') },
                { value: 'auto', label: t('themeAuto') },
              ]}
              onChange={(v) => update({ theme: v as Theme })}
            />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Main>
        {projectId === null ? (
          <ProjectList onOpen={(id) => update({ lastProjectId: id, lastStep: 'data' })} />
        ) : (
          <Wizard
            projectId={projectId}
            step={step}
            onStep={(s) => update({ lastStep: s })}
            onBack={() => update({ lastProjectId: null })}
          />
        )}
      </AppShell.Main>
      <AppShell.Footer>
        <StatusBar dataDir={info.data?.dataDir ?? ''} mode={info.data?.mode ?? ''} />
      </AppShell.Footer>
    </AppShell>
  );
}
