import { platform } from 'node:os';
import type { appContract } from '../../../shared/app';
import type { Feature } from '../../core/feature';
import { schemaVersion } from '../../core/store/db';
import { getSettings, updateSettings } from './settings';
import { APP_VERSION } from '../../core/version';

export const appFeature: Feature<typeof appContract> = {
  name: 'app',
  handlers: {
    'app.info': (_input, ctx) => ({
      version: APP_VERSION,
      mode: ctx.mode,
      dataDir: ctx.paths.dataDir,
      schemaVersion: schemaVersion(ctx.db),
      platform: platform(),
    }),
    'settings.get': (_input, ctx) => getSettings(ctx.db),
    'settings.update': (input, ctx) => updateSettings(ctx.db, input),
  },
};
