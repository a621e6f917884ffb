import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { startServer } from '../server/server';
import type { CliCommand } from './types';

/** The built renderer: out/renderer from the project root, whether we run from sources or from the build. */
export function rendererDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'out', 'renderer');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
    dir = dirname(dir);
  }
  return join(process.cwd(), 'out', 'renderer');
}

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'Start the browser-mode server on 127.0.0.1 and print the URL to open',
  usage: 'distillery serve [--port N] [--token TOKEN]',
  options: { port: { type: 'string' }, token: { type: 'string' } },
  run: async ({ values }, io) => {
    const core = await io.core();
    const server = await startServer({
      core,
      staticDir: rendererDir(),
      port: values.port ? Number(values.port) : 0,
      token: values.token as string | undefined,
    });
    const info = { url: server.url, openUrl: server.openUrl, port: server.port, dataDir: core.paths.dataDir };
    if (io.json) process.stdout.write(JSON.stringify(info) + '\n');
    else {
      io.print(
        `Distillery is running in browser mode. Open this address in a browser on this computer:\n\n  ${server.openUrl}\n`,
      );
      io.print(`Data folder: ${core.paths.dataDir}\nPress Ctrl+C to stop.`);
    }
    await new Promise<void>((resolve) => {
      const stop = (): void => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await server.close();
    return undefined;
  },
};
