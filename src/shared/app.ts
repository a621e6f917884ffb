import { z } from 'zod';
import { channel } from './channel';

export const LANGUAGES = ['en', 'zh-CN'] as const;
export type Language = (typeof LANGUAGES)[number];
export const THEMES = ['light', 'dark', 'auto'] as const;
export type Theme = (typeof THEMES)[number];

export interface Settings {
  readonly language: Language;
  readonly theme: Theme;
  /** The local annotator profile currently labelling (review step). */
  readonly annotator: string;
  /** The last project and step open, so reopening resumes there. */
  readonly lastProjectId: number | null;
  readonly lastStep: string | null;
}

export interface AppInfo {
  readonly version: string;
  readonly mode: 'electron' | 'browser' | 'cli';
  readonly dataDir: string;
  readonly schemaVersion: number;
  readonly platform: string;
}

export const appContract = {
  'app.info': channel<AppInfo>()(z.object({})),
  'settings.get': channel<Settings>()(z.object({})),
  'settings.update': channel<Settings>()(
    z.object({
      language: z.enum(LANGUAGES).optional(),
      theme: z.enum(THEMES).optional(),
      annotator: z.string().trim().min(1).max(100).optional(),
      lastProjectId: z.number().int().positive().nullable().optional(),
      lastStep: z.string().max(50).nullable().optional(),
    }),
  ),
} as const;
