import type Database from 'better-sqlite3';
import type { Core } from '../../src/main/core/core';
import { nowIso } from '../../src/main/core/time';
import type { ReviewItem } from '../../src/shared/review';
import { TeamClient } from '../../e2e/teamClient';

export const LOAD_PASSWORD = 'load test password';

export interface LoadSeed {
  readonly projectId: number;
  readonly labels: readonly number[];
  readonly users: readonly string[];
  /** Documents assigned to two people (they may both have one open at once). */
  readonly overlap: ReadonlySet<number>;
}

/**
 * A project of `docs` documents and `annotators` annotator accounts; the first `assigned` documents are assigned
 * (10% overlap), the rest stay unassigned, so the run exercises both the assignments and the leases.
 */
export async function seedLoad(
  core: Core,
  opts: { docs: number; annotators: number; assigned: number },
): Promise<LoadSeed> {
  const project = await core.call('projects.create', { name: 'Team load' });
  const db = core.db;
  const now = nowIso();
  const labels: number[] = [];
  db.transaction(() => {
    const label = db.prepare(
      'INSERT INTO labels (project_id, name, hotkey, position, created_at) VALUES (?, ?, ?, ?, ?)',
    );
    labels.push(Number(label.run(project.id, 'fair', 'f', 0, now).lastInsertRowid));
    labels.push(Number(label.run(project.id, 'unfair', 'u', 1, now).lastInsertRowid));
    const insert = db.prepare(
      "INSERT INTO examples (project_id, text, length, split, created_at) VALUES (?, ?, ?, 'train', ?)",
    );
    for (let i = 0; i < opts.docs; i++) {
      const text = `Clause ${i}: the supplier may change these terms, with notice, at any time.`;
      insert.run(project.id, text, text.length, now);
    }
  })();
  const users = Array.from({ length: opts.annotators }, (_, i) => `ann${String(i + 1).padStart(2, '0')}`);
  for (const username of users) {
    await core.call('team.addUser', { username, role: 'annotator', password: LOAD_PASSWORD });
  }
  await core.call('team.assign', {
    projectId: project.id,
    annotators: users,
    overlap: 0.1,
    limit: opts.assigned,
  });
  const overlap = new Set(
    db
      .prepare(
        'SELECT example_id FROM team_assignments WHERE project_id = ? GROUP BY example_id HAVING COUNT(*) > 1',
      )
      .pluck()
      .all(project.id) as number[],
  );
  return { projectId: project.id, labels, users, overlap };
}

export interface LoadResult {
  readonly annotators: number;
  readonly seconds: number;
  readonly saves: number;
  readonly failures: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly maxMs: number;
  readonly savesPerSecond: number;
  /** (annotator, document) pairs each client saved, to check against the database afterwards. */
  readonly saved: ReadonlyArray<readonly [string, number]>;
  /** Two clients were shown the same document at the same moment, outside the overlap they were both given. */
  readonly sameDocumentAtOnce: number;
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

/** `annotators` people labelling as fast as the server answers for `seconds`: each save's latency is recorded. */
export async function runLoad(
  url: string,
  seed: LoadSeed,
  opts: { seconds: number; fingerprint?: string },
): Promise<LoadResult> {
  const latencies: number[] = [];
  const saved: Array<readonly [string, number]> = [];
  const open = new Map<string, number>();
  let failures = 0;
  let sameDocumentAtOnce = 0;
  // Everyone logs in first (scrypt is slow on purpose): the clock starts when all are labelling.
  const clients = await Promise.all(
    seed.users.map(async (username) => {
      const client = new TeamClient(url, { fingerprint: opts.fingerprint });
      const login = await client.login(username, LOAD_PASSWORD);
      if (login.status !== 200) throw new Error(`login ${username}: ${login.status}`);
      return client;
    }),
  );
  for (const c of clients) c.fresh();
  const started = performance.now();
  const deadline = started + opts.seconds * 1000;
  const show = (who: string, item: ReviewItem | null): void => {
    open.delete(who);
    if (!item) return;
    for (const id of open.values()) if (id === item.exampleId && !seed.overlap.has(id)) sameDocumentAtOnce++;
    open.set(who, item.exampleId);
  };
  await Promise.all(
    seed.users.map(async (username, n) => {
      const client = clients[n];
      try {
        const state = await client.call<{ item: ReviewItem | null }>('review.state', {
          projectId: seed.projectId,
        });
        let item = state.item;
        show(username, item);
        while (performance.now() < deadline && item) {
          const t0 = performance.now();
          // A connection error is a failed save (counted), never a crash of the run.
          const r = await client
            .invoke<{ next: ReviewItem | null }>('review.annotate', {
              projectId: seed.projectId,
              exampleId: item.exampleId,
              labelId: seed.labels[(item.exampleId + n) % seed.labels.length],
              timeSpentMs: 1500,
              queue: { kind: 'unreviewed' },
            })
            .catch(() => null);
          const ms = performance.now() - t0;
          if (!r?.body.ok || !r.body.value) {
            failures++;
            item = null;
            break;
          }
          latencies.push(ms);
          saved.push([username, item.exampleId]);
          item = r.body.value.next;
          show(username, item);
        }
      } finally {
        client.close();
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return {
    annotators: seed.users.length,
    seconds: Math.round(seconds * 10) / 10,
    saves: latencies.length,
    failures,
    p50Ms: Math.round(quantile(latencies, 0.5) * 10) / 10,
    p95Ms: Math.round(quantile(latencies, 0.95) * 10) / 10,
    maxMs: Math.round(Math.max(0, ...latencies) * 10) / 10,
    savesPerSecond: Math.round((latencies.length / seconds) * 10) / 10,
    saved,
    sameDocumentAtOnce,
  };
}

/**
 * What the database holds after the run: every save stored exactly once (one row per person and document, no
 * missing and no extra row), and no unassigned document labelled by two people.
 */
export function checkStored(
  db: Database.Database,
  seed: LoadSeed,
  result: LoadResult,
): { stored: number; missing: number; duplicated: number; unassignedTwice: number } {
  const rows = db
    .prepare('SELECT annotator, example_id AS id FROM annotations WHERE project_id = ?')
    .all(seed.projectId) as Array<{ annotator: string; id: number }>;
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(`${r.annotator}/${r.id}`, (counts.get(`${r.annotator}/${r.id}`) ?? 0) + 1);
  let missing = 0;
  for (const [who, id] of result.saved) if (counts.get(`${who}/${id}`) !== 1) missing++;
  const duplicated =
    [...counts.values()].filter((n) => n > 1).length + Math.max(0, rows.length - result.saved.length);
  const unassignedTwice = (
    db
      .prepare(
        `SELECT COUNT(*) AS n FROM (SELECT a.example_id FROM annotations a WHERE a.project_id = ?
           AND NOT EXISTS (SELECT 1 FROM team_assignments t WHERE t.example_id = a.example_id)
           GROUP BY a.example_id HAVING COUNT(DISTINCT a.annotator) > 1)`,
      )
      .get(seed.projectId) as { n: number }
  ).n;
  return { stored: rows.length, missing, duplicated, unassignedTwice };
}
