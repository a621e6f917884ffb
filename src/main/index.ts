import * as electron from 'electron';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runMain } from './electron/app';

void runMain({
  electron,
  outDir: dirname(fileURLToPath(import.meta.url)),
  devServerUrl: process.env.ELECTRON_RENDERER_URL,
});
