import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { isLoopback, machineNames, startServer, type TeamServerOptions } from '../server/server';
import { AppError } from '../core/errors';
import { userCount } from '../features/team/users';
import { z } from 'zod';
import { defineCommand } from './command';
import { schemaOptions } from './schemaOptions';

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

/** `ADDR:PORT`, `[v6]:PORT` or `ADDR` (port 8443). */
export function parseListen(value: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d{1,5}))?$/.exec(value.trim());
  const host = m ? (m[1] ?? m[2]) : '';
  const port = m?.[3] === undefined ? 8443 : Number(m[3]);
  if (!m || (isIP(host) === 0 && host !== 'localhost') || port > 65535) {
    throw AppError.keyed('INVALID_INPUT', 'cli.listenTakesAddressPort', { value });
  }
  return { host, port };
}

/** The port of the single-user server, checked like every derived option (0: any free port). */
const serveOptions = schemaOptions(
  z.object({
    port: z.number().int().min(0).max(65535).default(0).describe('The port on 127.0.0.1 (0: a free one)'),
  }),
  { port: {} },
);

export const serveCommand = defineCommand({
  name: 'serve',
  summary: 'Start the browser-mode server (127.0.0.1, or with --team for the whole team over HTTPS)',
  from: serveOptions,
  options: {
    token: { type: 'string', value: 'TOKEN', help: 'The access token (default: a new random one)' },
    team: {
      type: 'boolean',
      help: 'Accounts and roles instead of the token (add the first administrator with "distillery users add")',
    },
    listen: {
      type: 'string',
      value: 'ADDR:PORT',
      help: 'With --team: where to listen (default 0.0.0.0:8443, every interface)',
    },
    cert: { type: 'string', value: 'FILE', help: 'With --team: your certificate (PEM)' },
    key: {
      type: 'string',
      value: 'FILE',
      help: "With --team: your certificate's key (PEM); without both a self-signed one is made in DATA/tls",
    },
    'host-name': {
      type: 'string',
      multiple: true,
      value: 'NAME',
      help: 'A name people type to reach this machine (its own names and addresses are always accepted)',
    },
    http: { type: 'boolean', help: 'Plain HTTP: only on a loopback address, unless --force-http' },
    'force-http': { type: 'boolean', help: 'Plain HTTP on any address (a proxy in front encrypts)' },
  },
  run: async ({ values, given }, io) => {
    const core = await io.core();
    let team: TeamServerOptions | undefined;
    let port = given.port ?? 0;
    let fingerprint: string | null = null;
    let setupCode: string | null = null;
    if (values.team) {
      const listen = parseListen((values.listen as string | undefined) ?? '0.0.0.0:8443');
      port = listen.port;
      const hostNames = (values['host-name'] as string[] | undefined) ?? [];
      const wildcard = listen.host === '0.0.0.0' || listen.host === '::';
      const plain = Boolean(values.http || values['force-http']);
      if (plain && !isLoopback(listen.host) && !values['force-http']) {
        throw AppError.keyed('INVALID_INPUT', 'cli.plainHttpWouldSend', { host: listen.host });
      }
      // Loaded here only: no other command's start pays for the X.509 library.
      const { loadOrCreateTls } = await import('../server/cert');
      const tls = plain
        ? null
        : await loadOrCreateTls({
            dataDir: core.paths.dataDir,
            certFile: values.cert as string | undefined,
            keyFile: values.key as string | undefined,
            names: [...new Set([...hostNames, ...(wildcard ? machineNames() : [listen.host, 'localhost'])])],
          });
      fingerprint = tls?.fingerprint ?? null;
      if (userCount(core.db) === 0) setupCode = randomBytes(9).toString('base64url');
      team = {
        host: listen.host,
        tls,
        allowPlainHttp: Boolean(values['force-http']),
        hostNames,
        setupCode,
      };
      if (tls?.created) io.note(`Created a self-signed certificate: ${tls.certFile}`);
    }
    const server = await startServer({
      core,
      staticDir: rendererDir(),
      port,
      token: values.token as string | undefined,
      team,
    });
    const info = {
      url: server.url,
      openUrl: server.openUrl,
      port: server.port,
      dataDir: core.paths.dataDir,
      team: Boolean(team),
      fingerprint,
      setupCode,
    };
    if (io.json) process.stdout.write(JSON.stringify(info) + '\n');
    else if (team) {
      io.print(`Distillery is serving the team at:\n\n  ${server.openUrl}\n`);
      if (fingerprint) {
        io.print(
          `Certificate fingerprint (SHA-256): ${fingerprint}\n` +
            'Browsers warn about a self-signed certificate: check that the fingerprint they show is this one.\n',
        );
      }
      if (setupCode) {
        io.print(
          `There is no account yet. Open the address above and create the administrator with this setup code:\n\n` +
            `  ${setupCode}\n\n(or stop the server and run "distillery users add NAME --role admin").\n`,
        );
      }
      io.print(`Data folder: ${core.paths.dataDir}\nPress Ctrl+C to stop.`);
    } else {
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
});
