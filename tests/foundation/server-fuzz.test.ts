import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/shared/random';
import { ROOT, tempDir } from '../helpers';

/** Sends raw bytes on one connection; resolves with the status line (or '' when the server just closed). */
function raw(port: number, data: Buffer | string, opts: { halfClose?: boolean } = {}): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let got = '';
    const done = (): void => {
      socket.destroy();
      resolve(got.split('\r\n')[0] ?? '');
    };
    socket.setTimeout(5_000, done);
    socket.on('data', (d) => {
      got += d.toString('latin1');
      if (got.includes('\r\n')) done();
    });
    socket.on('error', done);
    socket.on('close', done);
    socket.write(data, () => {
      if (opts.halfClose !== false) socket.end();
    });
  });
}

describe('browser-mode server under malformed requests', () => {
  const data = tempDir();
  const token = randomBytes(16).toString('base64url');
  let server: ChildProcess;
  let port = 0;
  beforeAll(async () => {
    server = spawn(
      process.execPath,
      ['bin/distillery.mjs', 'serve', '--json', '--data-dir', data.dir, `--token=${token}`],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    server.stderr?.resume();
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: server.stdout! }).once('line', resolve);
      server.once('exit', (c) => reject(new Error(`serve exited ${c}`)));
    });
    port = (JSON.parse(line) as { port: number }).port;
  });
  afterAll(async () => {
    if (server.exitCode === null) {
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
    data.cleanup();
  });

  const good = async (): Promise<unknown> => {
    const res = await fetch(`http://127.0.0.1:${port}/api/invoke/projects.list`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    return res.json();
  };

  it('answers the reported crashers and stays up', async () => {
    const host = `Host: 127.0.0.1:${port}\r\n`;
    expect(await raw(port, `GET /% HTTP/1.1\r\n${host}\r\n`)).toMatch(/^HTTP\/1\.1 400/);
    expect(await raw(port, `GET http://[ HTTP/1.1\r\n${host}\r\n`)).toMatch(/^HTTP\/1\.1 400/);
    expect(
      await raw(
        port,
        `GET http://[ HTTP/1.1\r\n${host}Upgrade: websocket\r\nConnection: Upgrade\r\n` +
          'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      ),
    ).toMatch(/^HTTP\/1\.1 400/);
    expect(await raw(port, `GET /api/invoke/% HTTP/1.1\r\n${host}\r\n`)).toMatch(/^HTTP\/1\.1 400/);
    expect(server.exitCode).toBeNull();
    expect(await good()).toMatchObject({ ok: true, value: expect.any(Array) });
  });

  it('survives a few thousand malformed requests and then answers a good one', async () => {
    const rand = mulberry32(13);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
    const host = `Host: 127.0.0.1:${port}\r\n`;
    const auth = `Authorization: Bearer ${token}\r\n`;
    const paths = [
      '/%',
      '/%%',
      '/%zz',
      '/%E0%A4%A',
      '/%C0%AF..%C0%AF',
      '/api/%ff',
      '/api/invoke/%',
      '/api/invoke/%E0',
      '/api/invoke/projects.list%00',
      '/api/events?token=%',
      '/api/download?path=%',
      '/api/upload?name=%',
      '/..%2f..%2fetc%2fpasswd',
      'http://[',
      'http://[::1',
      '//',
      '*',
      '/\u0000',
      `/${'a'.repeat(9000)}`,
    ];
    const methods = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'HEAD', 'CONNECT', 'FOO'];
    const generators: Record<string, () => { bytes: string | Buffer; halfClose?: boolean }> = {
      'bad request line': () => ({
        bytes: pick([
          `${pick(methods)} ${pick(paths)}\r\n\r\n`,
          `${pick(methods)}\r\n\r\n`,
          `GET / HTTP/9.9\r\n${host}\r\n`,
          `\r\n\r\n`,
          `GET  / HTTP/1.1\r\n\r\n`,
          `${randomBytes(1 + Math.floor(rand() * 200)).toString('latin1')}\r\n\r\n`,
        ]),
      }),
      'bad percent-encoding': () => ({
        bytes: `${pick(methods)} ${pick(paths)} HTTP/1.1\r\n${host}${auth}\r\n`,
      }),
      'huge headers': () => ({
        bytes: `GET / HTTP/1.1\r\n${host}X-Big: ${'x'.repeat(20_000 + Math.floor(rand() * 50_000))}\r\n\r\n`,
      }),
      'many headers': () => ({
        bytes: `GET / HTTP/1.1\r\n${host}${Array.from({ length: 3000 }, (_, i) => `X-${i}: y\r\n`).join('')}\r\n`,
      }),
      'bad JSON': () => {
        const body = pick([
          '{"name": ',
          '[',
          'null',
          '"str"',
          '{"projectId": 1e999}',
          '{"__proto__": {"admin": true}}',
          randomBytes(64).toString('latin1'),
          '{"a":'.repeat(5000),
        ]);
        return {
          bytes:
            `POST /api/invoke/${pick(['projects.create', 'projects.list', 'dataset.preview', 'jobs.get', 'nope'])} HTTP/1.1\r\n` +
            `${host}${auth}Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body, 'latin1')}\r\n\r\n${body}`,
        };
      },
      'wrong methods': () => ({
        bytes: `${pick(methods)} ${pick(['/', '/api/invoke/projects.list', '/api/upload', '/api/download', '/api/events', '/index.html'])} HTTP/1.1\r\n${host}${pick([auth, ''])}Content-Length: 0\r\n\r\n`,
      }),
      'bad upgrades': () => ({
        bytes:
          `GET ${pick(['/api/events', '/api/events?token=' + token, '/%', 'http://[', '/x'])} HTTP/1.1\r\n${host}` +
          `Upgrade: ${pick(['websocket', 'h2c', '', 'websocket, x'])}\r\nConnection: Upgrade\r\n` +
          pick([
            '',
            'Sec-WebSocket-Version: 13\r\n',
            'Sec-WebSocket-Version: 99\r\nSec-WebSocket-Key: x\r\n',
            'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n',
          ]) +
          `${pick(['', auth, 'Origin: http://evil.example\r\n'])}\r\n`,
      }),
      'truncated bodies': () => ({
        bytes:
          `POST ${pick(['/api/invoke/projects.create', '/api/upload?name=a.csv'])} HTTP/1.1\r\n${host}${auth}` +
          `Content-Length: ${1000 + Math.floor(rand() * 100_000)}\r\n\r\n{"name": "trunc`,
      }),
      'bad chunked bodies': () => ({
        bytes:
          `POST /api/invoke/projects.create HTTP/1.1\r\n${host}${auth}Transfer-Encoding: chunked\r\n\r\n` +
          pick(['zz\r\nabc\r\n', '5\r\nab', 'ffffffffffff\r\n', '3\r\nabc\r\n0\r\n']),
      }),
    };
    const counts: Record<string, number> = {};
    const statuses: Record<string, number> = {};
    const kinds = Object.keys(generators);
    const TOTAL = 3000;
    const PARALLEL = 16;
    let sent = 0;
    const worker = async (): Promise<void> => {
      while (sent < TOTAL) {
        sent++;
        const kind = kinds[sent % kinds.length];
        const { bytes, halfClose } = generators[kind]();
        const status = await raw(port, bytes, { halfClose });
        counts[kind] = (counts[kind] ?? 0) + 1;
        const code = /^HTTP\/1\.1 (\d{3})/.exec(status)?.[1] ?? 'closed';
        statuses[code] = (statuses[code] ?? 0) + 1;
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    console.log(`[server-fuzz] ${TOTAL} malformed requests by kind ${JSON.stringify(counts)}`);
    console.log(`[server-fuzz] answers by status ${JSON.stringify(statuses)}`);
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(TOTAL);
    expect(statuses['500'] ?? 0).toBe(0);
    expect(server.exitCode).toBeNull();
    expect(await good()).toMatchObject({ ok: true, value: expect.any(Array) });
  });
});
