import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServer } from '../../src/main/server/server';
import { selfSignedCertificate } from '../../src/main/server/cert';
import { checkStored, runLoad, seedLoad } from '../../bench/lib/teamLoad';
import { tempDir, testCore } from '../helpers';

// The bench (`npm run bench -- team`) runs this for two minutes against the built server; here a few seconds.
describe('team mode under load (shortened bench)', () => {
  it('20 annotators saving at once: every save stored exactly once, no unassigned document twice', async () => {
    const t = await testCore();
    const s = tempDir();
    writeFileSync(join(s.dir, 'index.html'), '<!doctype html>');
    const seed = await seedLoad(t.core, { docs: 3000, annotators: 20, assigned: 1500 });
    const server = await startServer({
      core: t.core,
      staticDir: s.dir,
      team: { host: '127.0.0.1', tls: await selfSignedCertificate(['127.0.0.1']) },
    });
    try {
      const result = await runLoad(server.url, seed, { seconds: 4 });
      expect(result.failures).toBe(0);
      expect(result.saves).toBeGreaterThan(0);
      expect(result.sameDocumentAtOnce).toBe(0);
      const stored = checkStored(t.core.db, seed, result);
      expect(stored).toEqual({ stored: result.saves, missing: 0, duplicated: 0, unassignedTwice: 0 });
    } finally {
      await server.close();
      await t.close();
      s.cleanup();
    }
  });
});
