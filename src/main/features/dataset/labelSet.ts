import { reservedKeyReason, type LabelInfo } from '../../../shared/dataset';
import { audit } from '../../core/audit';
import { AppError, notFound } from '../../core/errors';
import { notExcludedSql } from '../../core/labels';
import type { Db } from '../../core/store/db';
import { nowIso } from '../../core/time';
import { getProject } from '../projects/projects';

/** Editing a project's label set: list with counts, add, rename, reorder, give keys, delete an unused label. */

export function labels(db: Db, projectId: number): LabelInfo[] {
  getProject(db, projectId);
  const counts = new Map<number, number>();
  // Driven by the human labels, not by every document (a label lookup each: seconds at a million documents).
  for (const r of db
    .prepare(
      `SELECT h.label_id AS label_id, COUNT(*) AS n FROM human_labels h
       WHERE h.project_id = @project AND ${notExcludedSql('h.example_id')} GROUP BY 1`,
    )
    .all({ project: projectId }) as Array<{ label_id: number | null; n: number }>) {
    if (r.label_id !== null) counts.set(r.label_id, r.n);
  }
  return (
    db
      .prepare(
        'SELECT id, name, description, color, hotkey, position FROM labels WHERE project_id = ? ORDER BY position, id',
      )
      .all(projectId) as Array<Omit<LabelInfo, 'count'>>
  ).map((l) => ({ ...l, count: counts.get(l.id) ?? 0 }));
}

export interface LabelEdit {
  readonly id?: number;
  readonly name: string;
  readonly description: string;
  readonly color?: string | null;
  readonly hotkey?: string | null;
}

export function saveLabels(
  db: Db,
  projectId: number,
  edits: readonly LabelEdit[],
  actor: string,
): LabelInfo[] {
  getProject(db, projectId);
  const names = new Set<string>();
  const keys = new Set<string>();
  for (const l of edits) {
    const n = l.name.trim();
    if (names.has(n.toLowerCase())) throw AppError.keyed('CONFLICT', 'dataset.labelListedTwiceGive', { n });
    names.add(n.toLowerCase());
    if (l.hotkey) {
      const k = l.hotkey.toLowerCase();
      const reserved = reservedKeyReason(l.hotkey);
      if (reserved) throw AppError.keyed('INVALID_INPUT', 'dataset.reservedKey', { reason: reserved });
      if (keys.has(k)) throw AppError.keyed('CONFLICT', 'dataset.keyGivenTwoLabels', { hotkey: l.hotkey });
      keys.add(k);
    }
  }
  const now = nowIso();
  db.transaction(() => {
    const existing = db.prepare('SELECT id, name FROM labels WHERE project_id = ?').all(projectId) as Array<{
      id: number;
      name: string;
    }>;
    const byId = new Map(existing.map((l) => [l.id, l]));
    // Names compare without case: "Fair" beside "fair" would be two labels a person cannot tell apart.
    const byName = new Map(existing.map((l) => [l.name.toLowerCase(), l]));
    // Park the listed labels' positions out of the way so that the new order can be written freely.
    const listedIds: number[] = [];
    edits.forEach((l, position) => {
      const name = l.name.trim();
      let id = l.id;
      if (id !== undefined && !byId.has(id)) throw notFound('Label', id);
      // A new row never takes over an existing label of the same name: that would drop what was typed.
      const clash = byName.get(name.toLowerCase());
      if (clash && clash.id !== id && !edits.some((e) => e.id === clash.id)) {
        throw AppError.keyed('CONFLICT', 'dataset.labelNamedAlreadyExists', { name: clash.name });
      }
      if (id === undefined) {
        const info = db
          .prepare(
            'INSERT INTO labels (project_id, name, description, color, hotkey, position, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
          )
          .run(projectId, name, l.description, l.color ?? null, l.hotkey ?? null, position, now);
        id = Number(info.lastInsertRowid);
      } else {
        db.prepare(
          'UPDATE labels SET name = ?, description = ?, color = ?, hotkey = ?, position = ? WHERE id = ?',
        ).run(name, l.description, l.color ?? null, l.hotkey ?? null, position, id);
      }
      listedIds.push(id);
    });
    let position = edits.length;
    for (const l of existing) {
      if (!listedIds.includes(l.id))
        db.prepare('UPDATE labels SET position = ? WHERE id = ?').run(position++, l.id);
    }
    audit(db, {
      projectId,
      actor,
      action: 'edit',
      entity: 'labels',
      details: { labels: edits.map((l) => l.name) },
    });
  })();
  return labels(db, projectId);
}

export function deleteLabel(db: Db, projectId: number, labelId: number, actor: string): LabelInfo[] {
  const label = db
    .prepare('SELECT id, name FROM labels WHERE id = ? AND project_id = ?')
    .get(labelId, projectId) as { id: number; name: string } | undefined;
  if (!label) throw notFound('Label', labelId);
  const used = (
    db.prepare('SELECT COUNT(*) AS n FROM annotations WHERE label_id = ?').get(labelId) as { n: number }
  ).n;
  if (used > 0) {
    throw AppError.keyed('CONFLICT', 'dataset.labelUsedAnnotationsSo', { name: label.name, used });
  }
  db.transaction(() => {
    db.prepare('DELETE FROM labels WHERE id = ?').run(labelId);
    audit(db, {
      projectId,
      actor,
      action: 'delete',
      entity: 'label',
      entityId: labelId,
      details: { name: label.name },
    });
  })();
  return labels(db, projectId);
}
