import { afterEach, beforeEach } from 'vitest';
import { startServer, type RunningServer } from '../src/main/server/server';
import type { Core } from '../src/main/core/core';
import type { ChannelName } from '../src/shared/contract';
import { tempDir, testCore } from './helpers';

/**
 * A real core (SQLite, features) behind the real browser-mode server (single-user, with its token) for each test of
 * the calling file: read `.core` and `.server`, and `post` a channel's request as a page does, inside a test.
 */
export function serverForEachTest(): {
  readonly core: Core;
  readonly server: RunningServer;
  /** The parsed JSON body the server answers `POST /api/invoke/<channel>`. */
  post(channel: ChannelName, request: unknown): Promise<unknown>;
} {
  let current: {
    server: RunningServer;
    t: Awaited<ReturnType<typeof testCore>>;
    cleanup: () => void;
  } | null = null;
  beforeEach(async () => {
    const t = await testCore();
    const s = tempDir();
    current = { t, cleanup: s.cleanup, server: await startServer({ core: t.core, staticDir: s.dir }) };
  });
  afterEach(async () => {
    await current?.server.close();
    await current?.t.close();
    current?.cleanup();
    current = null;
  });
  const now = (): NonNullable<typeof current> => {
    if (!current) throw new Error('serverForEachTest: use it inside a test');
    return current;
  };
  return {
    get core() {
      return now().t.core;
    },
    get server() {
      return now().server;
    },
    async post(channel, request) {
      const { server } = now();
      const res = await fetch(`${server.url}api/invoke/${channel}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.token}` },
        body: JSON.stringify(request),
      });
      return res.json();
    },
  };
}
