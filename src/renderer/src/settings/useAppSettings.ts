import { useMantineColorScheme } from '@mantine/core';
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Settings } from '../../../shared/app';
import { call } from '../api';

export type SettingsPatch = Partial<Omit<Settings, 'annotator'>>;

export interface AppSettings {
  /** Null until the first (and only) read. */
  readonly settings: Settings | null;
  /** Applies the patch in this window at once and saves it for the next start. */
  readonly update: (patch: SettingsPatch) => void;
}

/**
 * The app's settings, read once per window. This window's own state is the truth for what it shows: a save's reply is
 * not adopted, because it carries what other windows saved (their open project), and a tab must never move because
 * another one opened a project. Reading only once also matters because Mantine's `setColorScheme` is a new function on
 * every render: an effect that depended on it refetched the settings on every render, endlessly.
 */
export function useAppSettings(): AppSettings {
  const { i18n } = useTranslation();
  const { setColorScheme } = useMantineColorScheme();
  const [settings, setSettings] = useState<Settings | null>(null);
  const apply = useRef(setColorScheme);
  useLayoutEffect(() => {
    apply.current = setColorScheme;
  });

  useEffect(() => {
    let live = true;
    void call('settings.get', {}).then((s) => {
      if (!live) return;
      setSettings(s);
      void i18n.changeLanguage(s.language);
      apply.current(s.theme);
    });
    return () => {
      live = false;
    };
  }, [i18n]);

  const update = useCallback(
    (patch: SettingsPatch): void => {
      if (patch.language) void i18n.changeLanguage(patch.language);
      if (patch.theme) apply.current(patch.theme);
      setSettings((s) => (s ? { ...s, ...patch } : s));
      call('settings.update', patch).catch((e: unknown) => console.error('Saving the settings failed', e));
    },
    [i18n],
  );

  return { settings, update };
}
