// Key press -> next document shown, through the real server (bin/distillery.mjs serve) in real Chromium, on a
// project of DOCS documents: first with nothing else running, then while a teacher run labels the project in the
// background (the bench's 100M-parameter teacher, as people review while the teacher labels), then while a student
// trains in the background (the default settings, Auto mode, on TRAIN_DOCS person-labelled documents, started with
// `student.train` as the Train step does).
// Reference: the raw HTTP round trip of a trivial request from the same page.
// Usage: npm run bench -- review [--docs 1000000] [--presses 200] [--train-docs 20000]
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createCore } from '../src/main/core/core';
import type { Db } from '../src/main/core/store/db';
import { nowIso } from '../src/main/core/time';
import type { Job } from '../src/shared/jobs';
import type { TeacherModel } from '../src/shared/teacher';
import { launchBrowser, startServer } from '../e2e/harness';
import { benchTeacherModel } from './lib/teacher-model';

const { values } = parseArgs({
  options: {
    docs: { type: 'string', default: '1000000' },
    presses: { type: 'string', default: '200' },
    'train-docs': { type: 'string', default: '20000' },
  },
});
const DOCS = Number(values.docs);
const PRESSES = Number(values.presses);
const TRAIN_DOCS = Math.min(Number(values['train-docs']), Math.floor(DOCS / 4));

/**
 * The page's globals this bench touches: this file is compiled without the DOM library, and a function run in the
 * page is sent as source, so it reaches them through `globalThis`.
 */
interface PageGlobals {
  document: {
    body: unknown;
    querySelector(
      selector: string,
    ): { getAttribute(name: string): string | null; textContent: string | null } | null;
  };
  MutationObserver: new (cb: () => void) => { observe(target: unknown, options: object): void };
  PerformanceObserver: new (cb: (list: { getEntries(): Array<{ name: string }> }) => void) => {
    observe(options: object): void;
  };
  /** Key presses by the way the page found the next document (its `review.next.*` marks, counted as they come). */
  __marks: Record<string, number>;
  requestAnimationFrame(cb: () => void): number;
  addEventListener(type: string, listener: () => void, options: object): void;
  __press: number;
  __shown: number[];
  __dom: number[];
  performance: {
    now(): number;
    getEntriesByType(type: string): Array<{ name: string; duration: number; startTime: number }>;
    clearResourceTimings(): void;
    setResourceTimingBufferSize(n: number): void;
  };
}

/** Where a phase's time went: for the profile printed with the figures. */
interface Profile {
  /** Key presses answered from the documents fetched ahead, and those that waited for the server. */
  readonly shown_from_prefetch: number;
  readonly waited_for_server: number;
  /** Round trips as the page saw them (network + server handler + event-loop wait), per channel: median / p95. */
  readonly requests_ms: Record<string, { n: number; median: number; p95: number }>;
}

const round = (x: number): number => Number(x.toFixed(2));

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

const WORDS =
  'the party shall may not liability terms service user agree notice law court account any data'.split(' ');

/**
 * The training documents: a block in the middle of the project (the review queue starts before it), labelled by a
 * person as imported labels are; the label follows the words (learnable), one in ten is in the validation split.
 */
function labelTrainingBlock(db: Db, projectId: number): void {
  const now = nowIso();
  const first = db
    .prepare('SELECT MIN(id) FROM examples WHERE project_id = ?')
    .pluck()
    .get(projectId) as number;
  const [fair, unfair] = db
    .prepare('SELECT id FROM labels WHERE project_id = ? ORDER BY position')
    .pluck()
    .all(projectId) as number[];
  db.transaction(() => {
    const annotate = db.prepare(
      `INSERT INTO annotations (project_id, example_id, label_id, annotator, source, created_at)
       VALUES (?, ?, ?, 'bench', 'import', ?)`,
    );
    const validation = db.prepare("UPDATE examples SET split = 'validation' WHERE id = ?");
    for (let k = 0; k < TRAIN_DOCS; k++) {
      const i = Math.floor(DOCS / 2) + k;
      annotate.run(projectId, first + i, (i * 7) % WORDS.length < WORDS.length / 2 ? fair : unfair, now);
      if (k % 10 === 0) validation.run(first + i);
    }
  })();
}

async function seed(
  dataDir: string,
): Promise<{ projectId: number; seconds: number; modelId: number; lastId: number }> {
  const core = await createCore({ dataDir, mode: 'cli' });
  try {
    const project = await core.call('projects.create', { name: 'Bench: one million documents' });
    const db = core.db;
    const now = nowIso();
    const t0 = performance.now();
    db.transaction(() => {
      const label = db.prepare(
        'INSERT INTO labels (project_id, name, hotkey, position, created_at) VALUES (?, ?, ?, ?, ?)',
      );
      label.run(project.id, 'fair', 'f', 0, now);
      label.run(project.id, 'unfair', 'u', 1, now);
      const insert = db.prepare(
        "INSERT INTO examples (project_id, text, length, split, created_at) VALUES (?, ?, ?, 'train', ?)",
      );
      for (let i = 0; i < DOCS; i++) {
        const words: string[] = [`Clause ${i}:`];
        for (let w = 0; w < 30; w++) words.push(WORDS[(i * 7 + w * 13) % WORDS.length]);
        const text = words.join(' ') + '.';
        insert.run(project.id, text, text.length, now);
      }
    })();
    labelTrainingBlock(db, project.id);
    const seconds = (performance.now() - t0) / 1000;
    await core.call('settings.update', { lastProjectId: project.id, lastStep: 'review' });
    const imported = await core.jobs.wait(
      (await core.call('teacher.importModel', { path: benchTeacherModel().path })).id,
    );
    if (imported.state !== 'completed') throw new Error(`model import ${imported.state}: ${imported.error}`);
    const { lastId } = db.prepare('SELECT MAX(id) AS lastId FROM examples').get() as { lastId: number };
    return { projectId: project.id, seconds, modelId: (imported.result as TeacherModel).id, lastId };
  } finally {
    await core.dispose();
  }
}

/**
 * The round trips of the reads that hold the server's thread longest at this size (the Review step's queue counts,
 * the Train and Data steps' summaries), with nothing else running: median of three.
 */
async function timeReads(
  invoke: <T>(channel: string, body: unknown) => Promise<T>,
  projectId: number,
): Promise<Record<string, number>> {
  const reads: Array<[string, string, unknown]> = [
    ['review.counts', 'review.counts', { projectId, queue: { kind: 'unreviewed' } }],
    [
      'review.counts (test split)',
      'review.counts',
      { projectId, queue: { kind: 'unreviewed', split: 'test' } },
    ],
    ['student.overview', 'student.overview', { projectId }],
    ['dataset.stats', 'dataset.stats', { projectId }],
  ];
  const out: Record<string, number> = {};
  for (const [name, channel, body] of reads) {
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      await invoke(channel, body);
      times.push(performance.now() - t0);
    }
    out[name] = round(quantile(times, 0.5));
  }
  return out;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'distillery-bench-review-'));
  try {
    const { seconds: seedSeconds, projectId, modelId, lastId } = await seed(dataDir);
    console.error(`Inserted ${DOCS.toLocaleString()} documents in ${seedSeconds.toFixed(1)} s`);
    const server = await startServer({ dataDir });
    // The server's own messages (a failed job, a crash) belong in the bench's log.
    server.process.stderr?.on('data', (d: Buffer) => process.stderr.write(`[server] ${d.toString()}`));
    const invoke = async <T>(channel: string, body: unknown): Promise<T> => {
      const res = await fetch(`${server.url}api/invoke/${channel}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const r = (await res.json()) as { ok: true; value: T } | { ok: false; error: { message: string } };
      if (!r.ok) throw new Error(`${channel}: ${r.error.message}`);
      return r.value;
    };
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      await page.goto(server.openUrl);
      await page.getByTestId('review-doc').waitFor({ timeout: 120_000 });
      // The counts of every queue are computed once on opening: let them finish before measuring.
      await page.waitForFunction(
        () =>
          /\d/.test(
            (globalThis as unknown as PageGlobals).document.querySelector('[data-testid="queue-count"]')
              ?.textContent ?? '',
          ),
        undefined,
        { timeout: 300_000 },
      );

      // The server's responsiveness: a trivial request's round trip (network + event-loop wait), quiet and busy.
      const ping = (): Promise<number[]> =>
        page.evaluate(
          async ({ url, token, n }) => {
            const times: number[] = [];
            for (let i = 0; i < n; i++) {
              const t0 = performance.now();
              const res = await fetch(`${url}api/invoke/app.info`, {
                method: 'POST',
                headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
                body: '{}',
              });
              await res.json();
              times.push(performance.now() - t0);
            }
            return times;
          },
          { url: server.url, token: server.token, n: 100 },
        );
      const reference = await ping();

      await page.evaluate(() => {
        const w = globalThis as unknown as PageGlobals;
        w.__marks = {};
        // The page keeps only its latest mark of each name: count them as they are made.
        new w.PerformanceObserver((list) => {
          for (const e of list.getEntries()) w.__marks[e.name] = (w.__marks[e.name] ?? 0) + 1;
        }).observe({ type: 'mark' });
        w.__shown = [];
        w.__dom = [];
        w.addEventListener('keydown', () => (w.__press = performance.now()), { capture: true });
        new w.MutationObserver(() => {
          const at = performance.now();
          w.__dom.push(at - w.__press);
          // Shown = the frame after the new document is in the DOM.
          w.requestAnimationFrame(() => w.__shown.push(Math.max(at, performance.now()) - w.__press));
        }).observe(w.document.body, {
          subtree: true,
          attributes: true,
          attributeFilter: ['data-example-id'],
        });
      });
      let pressed = 0;
      const marks = (): Promise<[number, number]> =>
        page.evaluate(() => {
          const m = (globalThis as unknown as PageGlobals).__marks;
          return [m['review.next.ahead'] ?? 0, m['review.next.fetched'] ?? 0];
        });
      const measure = async (): Promise<{ median: number; p95: number; dom: number; profile: Profile }> => {
        const latencies: number[] = [];
        const from = pressed;
        const [ahead0, fetched0] = await marks();
        await page.evaluate(() => {
          const p = (globalThis as unknown as PageGlobals).performance;
          p.setResourceTimingBufferSize(100_000);
          p.clearResourceTimings();
        });
        for (let i = 0; i < PRESSES; i++) {
          const before = await page.getByTestId('review-doc').getAttribute('data-example-id');
          await page.keyboard.press(i % 2 === 0 ? 'f' : 'u');
          await page.waitForFunction(
            ({ id, n }) => {
              const w = globalThis as unknown as PageGlobals;
              const el = w.document.querySelector('[data-testid="review-doc"]');
              return el?.getAttribute('data-example-id') !== id && w.__shown.length >= n;
            },
            { id: before, n: pressed + 1 },
          );
          latencies.push(
            await page.evaluate((k) => (globalThis as unknown as PageGlobals).__shown[k], pressed),
          );
          pressed++;
        }
        const dom = (await page.evaluate(() => (globalThis as unknown as PageGlobals).__dom)).slice(from);
        const [ahead1, fetched1] = await marks();
        const requests = await page.evaluate(() =>
          (globalThis as unknown as PageGlobals).performance
            .getEntriesByType('resource')
            .filter((e) => e.name.includes('/api/invoke/'))
            .map((e) => ({ channel: e.name.replace(/^.*\/api\/invoke\//, ''), ms: e.duration })),
        );
        const byChannel = new Map<string, number[]>();
        for (const r of requests) byChannel.set(r.channel, [...(byChannel.get(r.channel) ?? []), r.ms]);
        const profile: Profile = {
          shown_from_prefetch: ahead1 - ahead0,
          waited_for_server: fetched1 - fetched0,
          requests_ms: Object.fromEntries(
            [...byChannel].map(([k, v]) => [
              k,
              { n: v.length, median: round(quantile(v, 0.5)), p95: round(quantile(v, 0.95)) },
            ]),
          ),
        };
        return {
          median: quantile(latencies, 0.5),
          p95: quantile(latencies, 0.95),
          dom: quantile(dom, 0.5),
          profile,
        };
      };
      const quiet = await measure();
      const reads = await timeReads(invoke, projectId);
      console.error(
        `reads at ${DOCS.toLocaleString()} documents (ms, median of 3): ${JSON.stringify(reads)}`,
      );
      console.error(
        `nothing else running: median ${quiet.median.toFixed(1)} ms, p95 ${quiet.p95.toFixed(1)} ms; ` +
          JSON.stringify(quiet.profile),
      );

      /**
       * The figures while a background job works (from its first progress). The job must still be running after, or,
       * with `again`, is started again whenever it completes meanwhile (a training job on a quiet machine ends before
       * the presses do): the presses are then all made while one of them works.
       */
      const measureWhile = async (
        first: number,
        what: string,
        again?: () => Promise<number>,
      ): Promise<{
        figures: Awaited<ReturnType<typeof measure>>;
        reference: number[];
        job: Job;
        restarts: number;
      }> => {
        let jobId = first;
        for (;;) {
          const j = await invoke<Job>('jobs.get', { jobId });
          if (j.state !== 'running' && j.state !== 'queued') {
            throw new Error(`the background ${what} is ${j.state}: ${j.error}`);
          }
          if (j.progress.done > 0) break;
          await new Promise((r) => setTimeout(r, 500));
        }
        let restarts = 0;
        let watching = true;
        const watcher = (async () => {
          while (watching && again) {
            await new Promise((r) => setTimeout(r, 200));
            const j = await invoke<Job>('jobs.get', { jobId });
            if (j.state === 'completed') {
              jobId = await again();
              restarts++;
            } else if (j.state !== 'running' && j.state !== 'queued') {
              throw new Error(`the background ${what} is ${j.state}: ${j.error}`);
            }
          }
        })();
        let figures: Awaited<ReturnType<typeof measure>>;
        try {
          figures = await measure();
        } finally {
          watching = false;
        }
        await watcher;
        const reference = await ping();
        const job = await invoke<Job>('jobs.get', { jobId });
        if (job.state !== 'running' && !(again && job.state === 'completed')) {
          throw new Error(`the background ${what} is ${job.state}`);
        }
        if (job.state === 'running') await invoke<Job>('jobs.cancel', { jobId });
        return { figures, reference, job, restarts };
      };

      // A teacher run over the project, started as the Teacher step does; measured once it is labelling.
      const { job } = await invoke<{ job: Job }>('teacher.run', {
        projectId,
        modelId,
        threads: 1,
        sequences: 1,
        contextSize: 1024,
        // The last 2,000 documents: picking targets is then cheap (a scope over a million documents is a full scan
        // that this bench does not mean to measure) and the run outlasts the presses.
        exampleIds: Array.from({ length: 2000 }, (_, i) => lastId - i),
      });
      const during = await measureWhile(job.id, 'teacher run');
      const busy = during.figures;
      const busyReference = during.reference;
      console.error(
        `while a teacher run labels (${during.job.progress.done} documents so far): median ${busy.median.toFixed(1)} ms, ` +
          `p95 ${busy.p95.toFixed(1)} ms; ${JSON.stringify(busy.profile)}`,
      );

      // A student training in the background, started as the Train step does (default settings: Auto mode); measured
      // once it trains (its worker has read the texts and reports progress).
      const train = async (): Promise<number> =>
        (await invoke<{ job: Job }>('student.train', { projectId, settings: {} })).job.id;
      const t0 = performance.now();
      const trainJob = await train();
      const startMs = performance.now() - t0;
      const trained = await measureWhile(trainJob, 'training job', train);
      const training = trained.figures;
      const trainingReference = trained.reference;
      console.error(
        `while a student trains (${trained.job.progress.phase ?? ''}): median ${training.median.toFixed(1)} ms, ` +
          `p95 ${training.p95.toFixed(1)} ms; ${JSON.stringify(training.profile)}`,
      );
      const refMedian = quantile(reference, 0.5);
      console.log(
        JSON.stringify({
          bench: 'review',
          documents: DOCS,
          presses: PRESSES,
          seed_seconds: round(seedSeconds),
          keypress_to_next_ms_median: round(quiet.median),
          keypress_to_next_ms_p95: round(quiet.p95),
          keypress_to_dom_ms_median: round(quiet.dom),
          profile: quiet.profile,
          with_teacher_run: {
            keypress_to_next_ms_median: round(busy.median),
            keypress_to_next_ms_p95: round(busy.p95),
            keypress_to_dom_ms_median: round(busy.dom),
            teacher_documents_labelled: during.job.progress.done,
            profile: busy.profile,
            reference_http_roundtrip_ms_median: round(quantile(busyReference, 0.5)),
            reference_http_roundtrip_ms_p95: round(quantile(busyReference, 0.95)),
          },
          with_training_job: {
            keypress_to_next_ms_median: round(training.median),
            keypress_to_next_ms_p95: round(training.p95),
            keypress_to_dom_ms_median: round(training.dom),
            training_documents: TRAIN_DOCS,
            /** The `student.train` request's round trip: choosing the documents on the server's thread. */
            start_request_ms: round(startMs),
            training_phase: trained.job.progress.phase ?? null,
            /** Training jobs started again because one completed during the presses. */
            training_restarts: trained.restarts,
            profile: training.profile,
            reference_http_roundtrip_ms_median: round(quantile(trainingReference, 0.5)),
            reference_http_roundtrip_ms_p95: round(quantile(trainingReference, 0.95)),
          },
          reads_ms_median: reads,
          reference_http_roundtrip_ms_median: round(refMedian),
          reference_http_roundtrip_ms_p95: round(quantile(reference, 0.95)),
          ratio_median_to_reference: round(quiet.median / refMedian),
          targets: { median_ms: 50, p95_ms: 100, with: 'teacher run; training job' },
          met: busy.median < 50 && busy.p95 < 100 && training.median < 50 && training.p95 < 100,
          load: loadavg().map((l) => round(l)),
        }),
      );
    } finally {
      await browser.close();
      await server.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
