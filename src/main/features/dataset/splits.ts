import type { DatasetStats, Split, SplitRequestInput } from '../../../shared/dataset';
import { audit } from '../../core/audit';
import { AppError } from '../../core/errors';
import { humanLabelSets, humanLabels, projectKind } from '../../core/labels';
import type { Db } from '../../core/store/db';
import { nowIso } from '../../core/time';
import { mulberry32 } from '../../../shared/random';
import { getProject } from '../projects/projects';
import { isTestLocked } from './gold';
import { iterativeStratification } from './iterativeStratification';
import { stats } from './stats';

/** Dividing the data into train, validation and test splits, and locking the test split (the gold set). */

/** Largest-remainder rounding of n by fractions. */
function apportion(n: number, fractions: readonly number[]): number[] {
  const raw = fractions.map((f) => f * n);
  const out = raw.map(Math.floor);
  let left = n - out.reduce((s, x) => s + x, 0);
  const order = raw.map((r, i) => [r - Math.floor(r), i] as const).sort((a, b) => b[0] - a[0]);
  for (const [, i] of order) {
    if (left <= 0) break;
    out[i]++;
    left--;
  }
  return out;
}

export function split(
  db: Db,
  projectId: number,
  req: Required<Omit<SplitRequestInput, 'projectId'>>,
  actor: string,
): DatasetStats {
  getProject(db, projectId);
  const locked = isTestLocked(db, projectId);
  const names: Split[] = locked ? ['train', 'validation'] : ['train', 'validation', 'test'];
  const fractions = locked ? [req.train, req.validation] : [req.train, req.validation, req.test];
  const sum = fractions.reduce((s, x) => s + x, 0);
  if (sum <= 0) throw AppError.keyed('INVALID_INPUT', 'dataset.giveLeastOneSplit', {});
  const norm = fractions.map((f) => f / sum);
  const rows = db
    .prepare('SELECT id, split FROM examples WHERE project_id = ? AND excluded = 0 ORDER BY id')
    .all(projectId) as Array<{ id: number; split: Split | null }>;
  const candidates = locked ? rows.filter((r) => r.split !== 'test') : rows;
  const random = mulberry32(req.seed);
  const job: Assignment = { candidates, names, norm, stratify: req.stratify, random };
  const assign =
    projectKind(db, projectId) === 'multi'
      ? multiLabelAssignment(db, projectId, job)
      : singleLabelAssignment(db, projectId, job);
  db.transaction(() => {
    const stmt = db.prepare('UPDATE examples SET split = ? WHERE id = ?');
    for (const [s, id] of assign) stmt.run(s, id);
    audit(db, {
      projectId,
      actor,
      action: 'split',
      entity: 'dataset',
      details: { ...req, testLocked: locked, assigned: assign.length },
    });
  })();
  return stats(db, projectId);
}

/** "None of these" stratified as a label of its own (label ids are positive). */
const NONE_OF_THESE = 0;

/** What a split assigns: the documents to place, the splits and their shares (summing to 1), and how. */
interface Assignment {
  readonly candidates: ReadonlyArray<{ id: number }>;
  readonly names: readonly Split[];
  readonly norm: readonly number[];
  /** Keep each label's (or label set's) share the same in every split. */
  readonly stratify: boolean;
  readonly random: () => number;
}

/** A multi-label project: iterative stratification over the label sets (random when not stratified). */
function multiLabelAssignment(
  db: Db,
  projectId: number,
  { candidates, names, norm, stratify, random }: Assignment,
): Array<[Split, number]> {
  const sets = stratify ? humanLabelSets(db, projectId) : new Map<number, number[]>();
  const items = candidates.map((r) => {
    const set = sets.get(r.id);
    return set === undefined ? [] : set.length === 0 ? [NONE_OF_THESE] : set;
  });
  const to = iterativeStratification(items, norm, random);
  return candidates.map((r, i) => [names[to[i]], r.id]);
}

/** A single-label project: each label's documents shuffled and divided by the shares (all together when not stratified). */
function singleLabelAssignment(
  db: Db,
  projectId: number,
  { candidates, names, norm, stratify, random }: Assignment,
): Array<[Split, number]> {
  const labelOf = stratify ? humanLabels(db, projectId) : new Map<number, number>();
  const groups = new Map<number, number[]>();
  for (const r of candidates) {
    const key = labelOf.get(r.id) ?? 0;
    const g = groups.get(key);
    if (g) g.push(r.id);
    else groups.set(key, [r.id]);
  }
  const assign: Array<[Split, number]> = [];
  for (const key of [...groups.keys()].sort((a, b) => a - b)) {
    const ids = groups.get(key) ?? [];
    for (let i = ids.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [ids[i], ids[j]] = [ids[j], ids[i]];
    }
    const sizes = apportion(ids.length, norm);
    let k = 0;
    sizes.forEach((size, s) => {
      for (let x = 0; x < size; x++) assign.push([names[s], ids[k++]]);
    });
  }
  return assign;
}

export function lockTest(
  db: Db,
  projectId: number,
  locked: boolean,
  confirm: boolean,
  actor: string,
): DatasetStats {
  const s = stats(db, projectId);
  if (locked && s.splits.test === 0) {
    throw AppError.keyed('INVALID_INPUT', 'dataset.testSplitEmptySplit', {});
  }
  if (!locked && s.testLocked && !confirm) {
    throw AppError.keyed('INVALID_INPUT', 'dataset.unlockingLetsTestSplit', {});
  }
  db.transaction(() => {
    db.prepare('UPDATE projects SET test_locked = ?, updated_at = ? WHERE id = ?').run(
      locked ? 1 : 0,
      nowIso(),
      projectId,
    );
    audit(db, {
      projectId,
      actor,
      action: locked ? 'lock-test' : 'unlock-test',
      entity: 'project',
      entityId: projectId,
    });
  })();
  return stats(db, projectId);
}
