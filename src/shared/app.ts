import { z } from 'zod';
import { channel } from './channel';

export const LANGUAGES = ['en', 'zh-CN'] as const;
export type Language = (typeof LANGUAGES)[number];
export const THEMES = ['light', 'dark', 'auto'] as const;
export type Theme = (typeof THEMES)[number];

export const Settings = z
  .object({
    language: z.enum(LANGUAGES),
    theme: z.enum(THEMES),
    /** The local annotator profile currently labelling (review step). */
    annotator: z.string(),
    /** The last project and step open, so reopening resumes there. */
    lastProjectId: z.number().nullable(),
    lastStep: z.string().nullable(),
  })
  .readonly();
export type Settings = z.output<typeof Settings>;

export const AppInfo = z
  .object({
    version: z.string(),
    mode: z.enum(['electron', 'browser', 'cli']),
    dataDir: z.string(),
    schemaVersion: z.number(),
    platform: z.string(),
  })
  .readonly();
export type AppInfo = z.output<typeof AppInfo>;

export const appContract = {
  'app.info': channel(AppInfo)(z.object({})),
  'settings.get': channel(Settings)(z.object({})),
  'settings.update': channel(Settings)(
    z.object({
      language: z.enum(LANGUAGES).optional(),
      theme: z.enum(THEMES).optional(),
      annotator: z.string().trim().min(1).max(100).optional(),
      lastProjectId: z.number().int().positive().nullable().optional(),
      lastStep: z.string().max(50).nullable().optional(),
    }),
  ),
} as const;
