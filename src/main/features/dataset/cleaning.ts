import { CleanOptions, type CleanOptionsInput, type CleanPreview, type Split } from '../../../shared/dataset';
import { audit } from '../../core/audit';
import { AppError } from '../../core/errors';
import { humanLabels } from '../../core/labels';
import type { Db } from '../../core/store/db';
import { getProject } from '../projects/projects';
import { charLength, cleanNormalise, importNormalise, nearDuplicateClusters, textHash } from './cleanText';
import { assertNotGold, isTestLocked } from './gold';
import { applyMask, compileRules } from './masking';
import { projectMaskRules } from './maskRules';

/**
 * Cleaning a project's data as a plan (preview), its application in one transaction, and its undo; and leaving
 * examples out by hand. The text functions it applies are in cleanText.ts.
 */

const CLEANING_REASONS = ['empty', 'too_short', 'too_long', 'duplicate', 'near_duplicate'] as const;
/** Near-duplicate search holds every signature in memory: beyond this, ask for exact duplicates only. */
export const NEAR_DUPLICATE_LIMIT = 200_000;

interface CleanPlan {
  readonly preview: CleanPreview;
  readonly updates: ReadonlyArray<{ id: number; text: string }>;
  readonly exclusions: ReadonlyArray<{ id: number; reason: string }>;
}

function planCleaning(db: Db, projectId: number, input: CleanOptionsInput): CleanPlan {
  getProject(db, projectId);
  const o = CleanOptions.parse(input);
  const rows = db
    .prepare('SELECT id, text, split FROM examples WHERE project_id = ? AND excluded = 0 ORDER BY id')
    .all(projectId) as Array<{ id: number; text: string; split: Split | null }>;
  if (o.nearDuplicates && rows.length > NEAR_DUPLICATE_LIMIT) {
    throw AppError.keyed('TOO_LARGE', 'dataset.nearDuplicateSearchHandles', {
      NEAR_DUPLICATE_LIMIT: NEAR_DUPLICATE_LIMIT.toLocaleString('en'),
      lengthLength: rows.length.toLocaleString('en'),
    });
  }
  const labelled = humanLabels(db, projectId);
  const locked = isTestLocked(db, projectId);
  const updates: Array<{ id: number; text: string }> = [];
  const samples: Array<{ id: number; before: string; after: string }> = [];
  const exclusions: Array<{ id: number; reason: string }> = [];
  let changed = 0;
  let masked = 0;
  let empty = 0;
  let tooShort = 0;
  let tooLong = 0;
  const kept: Array<{ id: number; text: string; split: Split | null }> = [];
  // A locked test split is the gold set: cleaning neither rewrites nor removes any of its rows, it counts them.
  const isGold = (x: { split: Split | null }): boolean => locked && x.split === 'test';
  const goldSkipped = new Set<number>();
  // The project's own masking rules (a project that never changed them has the built-in defaults).
  const maskRules = o.mask ? compileRules(projectMaskRules(db, projectId)) : [];
  for (const r of rows) {
    let t = cleanNormalise(r.text, o);
    let m = 0;
    if (o.mask) {
      const res = applyMask(t, maskRules);
      t = res.text;
      m = res.masked;
    }
    if (isGold(r)) {
      const len = charLength(r.text);
      const wouldDrop =
        (o.dropEmpty && t === '') ||
        (o.minChars > 0 && len < o.minChars) ||
        (o.maxChars > 0 && len > o.maxChars);
      if (t !== r.text || wouldDrop) goldSkipped.add(r.id);
      kept.push({ id: r.id, text: r.text, split: r.split });
      continue;
    }
    if (t !== r.text) {
      updates.push({ id: r.id, text: t });
      if (m) masked++;
      changed++;
      if (samples.length < 20)
        samples.push({ id: r.id, before: r.text.slice(0, 300), after: t.slice(0, 300) });
    }
    const len = charLength(t);
    if (o.dropEmpty && t === '') {
      empty++;
      exclusions.push({ id: r.id, reason: 'empty' });
    } else if (o.minChars > 0 && len < o.minChars) {
      tooShort++;
      exclusions.push({ id: r.id, reason: 'too_short' });
    } else if (o.maxChars > 0 && len > o.maxChars) {
      tooLong++;
      exclusions.push({ id: r.id, reason: 'too_long' });
    } else kept.push({ id: r.id, text: t, split: r.split });
  }
  // Which copy of a duplicate stays: a locked test example (so that train never holds a copy of the gold set),
  // then a labelled one, then the oldest.
  const rank = (x: { id: number; split: Split | null }): number =>
    (isGold(x) ? 0 : 2) + (labelled.has(x.id) ? 0 : 1);
  const splitOf = new Map(kept.map((x) => [x.id, x.split]));
  const ordered = [...kept].sort((a, b) => rank(a) - rank(b) || a.id - b.id);
  let exactDuplicates = 0;
  const survivors: Array<{ id: number; text: string; split: Split | null }> = [];
  if (o.exactDuplicates) {
    const seen = new Set<string>();
    for (const x of ordered) {
      const h = textHash(x.text);
      if (seen.has(h) && isGold(x)) {
        goldSkipped.add(x.id);
        survivors.push(x);
      } else if (seen.has(h)) {
        exactDuplicates++;
        exclusions.push({ id: x.id, reason: 'duplicate' });
      } else {
        seen.add(h);
        survivors.push(x);
      }
    }
  } else survivors.push(...ordered);
  let nearDuplicates = 0;
  const clusters: Array<Array<{ id: number; text: string }>> = [];
  if (o.nearDuplicates) {
    const order = new Map(survivors.map((x, i) => [x.id, i]));
    const textOf = new Map(survivors.map((x) => [x.id, x.text]));
    const groups = nearDuplicateClusters(survivors, o.nearThreshold).map((g) =>
      g.sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0)),
    );
    groups.sort((a, b) => b.length - a.length);
    for (const g of groups) {
      for (const id of g.slice(1)) {
        if (isGold({ split: splitOf.get(id) ?? null })) {
          goldSkipped.add(id);
          continue;
        }
        nearDuplicates++;
        exclusions.push({ id, reason: 'near_duplicate' });
      }
      if (clusters.length < 50)
        clusters.push(g.slice(0, 20).map((id) => ({ id, text: (textOf.get(id) ?? '').slice(0, 300) })));
    }
  }
  return {
    preview: {
      total: rows.length,
      changedByNormalisation: changed,
      masked,
      empty,
      tooShort,
      tooLong,
      exactDuplicates,
      nearDuplicates,
      clusters,
      samples,
      excluded: exclusions.length,
      lockedTestSkipped: goldSkipped.size,
    },
    updates,
    exclusions,
  };
}

export function cleanPreview(db: Db, projectId: number, options: CleanOptionsInput): CleanPreview {
  return planCleaning(db, projectId, options).preview;
}

/** Applies a cleaning plan in one transaction; the text before is kept in original_text, so it can be undone. */
export function cleanApply(
  db: Db,
  projectId: number,
  options: CleanOptionsInput,
  actor: string,
): CleanPreview {
  const plan = planCleaning(db, projectId, options);
  db.transaction(() => {
    const upd = db.prepare(
      'UPDATE examples SET original_text = COALESCE(original_text, text), text = ?, text_hash = ?, length = ? WHERE id = ?',
    );
    for (const u of plan.updates) upd.run(u.text, textHash(u.text), charLength(u.text), u.id);
    const exc = db.prepare('UPDATE examples SET excluded = 1, exclude_reason = ? WHERE id = ?');
    for (const x of plan.exclusions) exc.run(x.reason, x.id);
    audit(db, {
      projectId,
      actor,
      action: 'clean',
      entity: 'dataset',
      details: { options, changed: plan.updates.length, excluded: plan.exclusions.length },
    });
  })();
  return plan.preview;
}

/** Undoes all cleaning: texts back to what the import made of them, cleaning exclusions lifted (manual ones stay). */
export function cleanUndo(
  db: Db,
  projectId: number,
  actor: string,
): { restored: number; lockedTestSkipped: number } {
  getProject(db, projectId);
  // Rows of a locked test split stay as they are (their text and whether they count): unlock it first to undo them.
  const gold = isTestLocked(db, projectId) ? `AND split IS NOT 'test'` : '';
  return db.transaction(() => {
    let restored = 0;
    const placeholders = CLEANING_REASONS.map(() => '?').join(', ');
    const lockedTestSkipped = gold
      ? (
          db
            .prepare(
              `SELECT COUNT(*) AS n FROM examples WHERE project_id = ? AND split = 'test'
               AND (original_text IS NOT NULL OR (excluded = 1 AND exclude_reason IN (${placeholders})))`,
            )
            .get(projectId, ...CLEANING_REASONS) as { n: number }
        ).n
      : 0;
    const changed = db
      .prepare(
        `SELECT id, text, original_text FROM examples WHERE project_id = ? AND original_text IS NOT NULL ${gold}`,
      )
      .all(projectId) as Array<{ id: number; text: string; original_text: string }>;
    const upd = db.prepare(
      'UPDATE examples SET text = ?, original_text = ?, text_hash = ?, length = ? WHERE id = ?',
    );
    for (const r of changed) {
      const back = importNormalise(r.original_text);
      if (back === r.text) continue;
      upd.run(
        back,
        back === r.original_text ? null : r.original_text,
        textHash(back),
        charLength(back),
        r.id,
      );
      restored++;
    }
    restored += db
      .prepare(
        `UPDATE examples SET excluded = 0, exclude_reason = NULL
         WHERE project_id = ? AND excluded = 1 AND exclude_reason IN (${placeholders}) ${gold}`,
      )
      .run(projectId, ...CLEANING_REASONS).changes;
    audit(db, {
      projectId,
      actor,
      action: 'undo-clean',
      entity: 'dataset',
      details: { restored, lockedTestSkipped },
    });
    return { restored, lockedTestSkipped };
  })();
}

export function setExcluded(
  db: Db,
  projectId: number,
  ids: readonly number[],
  excluded: boolean,
  actor: string,
): number {
  getProject(db, projectId);
  assertNotGold(db, projectId, ids, excluded ? 'left out' : 'brought back');
  return db.transaction(() => {
    const stmt = db.prepare(
      'UPDATE examples SET excluded = ?, exclude_reason = ? WHERE id = ? AND project_id = ? AND excluded <> ?',
    );
    let n = 0;
    for (const id of ids)
      n += stmt.run(excluded ? 1 : 0, excluded ? 'manual' : null, id, projectId, excluded ? 1 : 0).changes;
    audit(db, {
      projectId,
      actor,
      action: excluded ? 'exclude' : 'include',
      entity: 'examples',
      details: { ids },
    });
    return n;
  })();
}
