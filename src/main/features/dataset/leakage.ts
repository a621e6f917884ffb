import type { LeakagePair, LeakageReport } from '../../../shared/dataset';
import type { Db } from '../../core/store/db';
import { getProject } from '../projects/projects';
import { cleanNormalise, nearDuplicateClusters, textHash } from './cleanText';

const MAX_PAIRS = 200;
const SNIPPET = 300;

interface Row {
  readonly id: number;
  readonly text: string;
  readonly split: 'train' | 'validation' | 'test';
}

/** The text two documents must share to be exact duplicates: NFKC, whitespace collapsed, case folded. */
function leakKey(text: string): string {
  return textHash(cleanNormalise(text, { nfkc: true, whitespace: true }).toLowerCase());
}

function snippet(text: string): string {
  return text.length > SNIPPET ? `${text.slice(0, SNIPPET)}…` : text;
}

/**
 * Train/test leakage: test documents whose text is also in the training or validation data, exactly (the same
 * normalised text) or nearly (the cleaning step's MinHash near-duplicate clusters, at `nearThreshold`). A model
 * graded on documents it learned from scores higher than it will on new ones. Excluded documents do not count.
 */
export function findLeakage(db: Db, projectId: number, nearThreshold: number): LeakageReport {
  getProject(db, projectId);
  const rows = db
    .prepare(
      `SELECT id, text, split FROM examples WHERE project_id = ? AND excluded = 0
         AND split IN ('train', 'validation', 'test') ORDER BY id`,
    )
    .all(projectId) as Row[];
  const tests = rows.filter((r) => r.split === 'test');
  const others = rows.filter((r) => r.split !== 'test');
  const byId = new Map(rows.map((r) => [r.id, r]));
  const match = new Map<number, { other: Row; kind: 'exact' | 'near' }>();
  if (tests.length > 0 && others.length > 0) {
    const trained = new Map<string, Row>();
    for (const r of others) {
      const key = leakKey(r.text);
      if (!trained.has(key)) trained.set(key, r);
    }
    for (const r of tests) {
      const other = trained.get(leakKey(r.text));
      if (other) match.set(r.id, { other, kind: 'exact' });
    }
    for (const cluster of nearDuplicateClusters(rows, nearThreshold)) {
      const other = cluster.map((id) => byId.get(id)).find((r) => r && r.split !== 'test');
      if (!other) continue;
      for (const id of cluster) {
        if (byId.get(id)?.split === 'test' && !match.has(id)) match.set(id, { other, kind: 'near' });
      }
    }
  }
  const pairs: LeakagePair[] = [];
  let exact = 0;
  for (const t of tests) {
    const m = match.get(t.id);
    if (!m) continue;
    if (m.kind === 'exact') exact++;
    if (pairs.length < MAX_PAIRS) {
      pairs.push({
        testId: t.id,
        testText: snippet(t.text),
        otherId: m.other.id,
        otherSplit: m.other.split as 'train' | 'validation',
        otherText: snippet(m.other.text),
        kind: m.kind,
      });
    }
  }
  return { testTotal: tests.length, exact, near: match.size - exact, nearThreshold, pairs };
}
