import {
  AppShell,
  Group,
  Loader,
  SegmentedControl,
  Select,
  Title,
  useMantineColorScheme,
} from '@mantine/core';
import { IconFlask } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Language, Settings, Theme } from '../../shared/app';
import { WIZARD_STEPS, type WizardStep } from '../../shared/projects';
import { call, useQuery } from './api';
import { StatusBar } from './components/StatusBar';
import { ProjectList } from './features/projects/ProjectList';
import { Wizard } from './wizard/Wizard';

function asStep(s: string | null): WizardStep {
  return (WIZARD_STEPS as readonly string[]).includes(s ?? '') ? (s as WizardStep) : 'data';
}

/** The app frame: header (language, theme), the project list or a project's wizard, and the status bar. */
export function App(): React.JSX.Element {
  const { t, i18n } = useTranslation();
  const { setColorScheme } = useMantineColorScheme();
  const info = useQuery('app.info', {});
  const [settings, setSettings] = useState<Settings | null>(null);

  useEffect(() => {
    void call('settings.get', {}).then((s) => {
      setSettings(s);
      void i18n.changeLanguage(s.language);
      setColorScheme(s.theme);
    });
  }, [i18n, setColorScheme]);

  const update = (patch: Partial<Settings>): void => {
    void call('settings.update', patch).then(setSettings);
  };

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
                if (!v) return;
                void i18n.changeLanguage(v);
                update({ language: v as Language });
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
              onChange={(v) => {
                setColorScheme(v as Theme);
                update({ theme: v as Theme });
              }}
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
