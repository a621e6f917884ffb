import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { analyseTrace, EXPECTED_PROGRAMS, preparePipelineInput, runPipelineOffline } from './harness';

const bundle = inject('bundle');
const skip = 'skip' in bundle ? bundle.skip : null;
const work = mkdtempSync(join(tmpdir(), 'distillery-bundle-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function unpack(into: string): { root: string; ms: number } {
  if ('skip' in bundle) throw new Error(bundle.skip);
  const started = performance.now();
  const r = spawnSync('tar', ['-xzf', bundle.file, '-C', into]);
  expect(r.status, r.stderr?.toString()).toBe(0);
  return { root: join(into, basename(bundle.file, '.tar.gz')), ms: performance.now() - started };
}

describe.skipIf(skip !== null)(
  `the offline bundle, unpacked with no network${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    it('serves its first page from a fresh unpack, with no network (size and cold start printed)', () => {
      if ('skip' in bundle) return;
      const dir = mkdtempSync(join(work, 'cold-'));
      const { root, ms: unpackMs } = unpack(dir);
      const r = runPipelineOffline({
        node: join(root, 'node', 'bin', 'node'),
        cli: join(root, 'bin', 'distillery'),
        server: join(root, 'bin', 'distillery-server'),
        work: dir,
        dataDir: join(dir, 'data'),
        input: null,
        firstPageOnly: true,
      });
      expect(r.steps.filter((s) => !s.ok)).toEqual([]);
      const page = r.steps.find((s) => s.name === 'server: first page');
      expect(page?.ms).toBeGreaterThan(0);
      console.log(
        `[delivery] bundle ${basename(bundle.file)}: ${(bundle.bytes / 1e6).toFixed(1)} MB, ` +
          `${(bundle.unpackedBytes / 1e6).toFixed(0)} MB unpacked, built in ${bundle.seconds} s; ` +
          `unpack ${(unpackMs / 1000).toFixed(1)} s + server start to first page ${((page?.ms ?? 0) / 1000).toFixed(1)} s ` +
          `= ${((unpackMs + (page?.ms ?? 0)) / 1000).toFixed(1)} s from unpack to first page`,
      );
      rmSync(dir, { recursive: true, force: true });
    });

    it('runs every step with its own Node.js inside unshare -n: no socket but loopback, no write outside its folders', () => {
      if ('skip' in bundle) return;
      const dir = mkdtempSync(join(work, 'pipeline-'));
      const input = preparePipelineInput(join(dir, 'input')); // the GGUF is generated before entering the namespace
      const { root } = unpack(dir);
      const node = join(root, 'node', 'bin', 'node');
      const r = runPipelineOffline({
        node,
        cli: join(root, 'bin', 'distillery'),
        server: join(root, 'bin', 'distillery-server'),
        work: dir,
        dataDir: join(dir, 'data'),
        input,
      });
      const failed = r.steps.filter((s) => !s.ok);
      console.log(
        `[delivery] bundle pipeline: ${r.steps.length - failed.length} passed, ${failed.length} failed` +
          (failed.length ? `: ${failed.map((s) => `${s.name}: ${s.problem}`).join('; ')}` : ''),
      );
      expect(failed).toEqual([]);
      expect(r.steps.map((s) => s.name)).toContain('server: projects.list');

      const trace = analyseTrace(r.traceDir, [dir]);
      console.log(
        `[delivery] bundle trace: ${trace.processes} processes/threads, socket calls ${JSON.stringify(trace.socketCalls)}, ` +
          `${trace.writes} writes, ${trace.badSockets.length} non-loopback sockets, ${trace.badWrites.length} writes outside ` +
          `the temporary folder; executed: ${trace.executed.join(', ')}`,
      );
      expect(trace.badSockets).toEqual([]);
      expect(trace.badWrites).toEqual([]);
      expect(trace.chdirs).toEqual([]);
      expect(trace.socketCalls.AF_INET ?? 0).toBeGreaterThan(0); // the server was reached, on 127.0.0.1
      // Only the bundle's own Node.js ran: no node from the system (there is one here) and nothing else but the shell,
      // the launchers' readlink/dirname and ip (bringing lo up).
      const nodes = trace.executed.filter((p) => basename(p) === 'node');
      expect(nodes).toEqual([node]);
      expect(trace.executed.filter((p) => !EXPECTED_PROGRAMS.has(basename(p)))).toEqual([]);
    });
  },
);
