import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { ExportResult } from '../../../shared/dataset';
import { audit } from '../../core/audit';
import { humanLabelSetSql, humanLabelSql, projectKind, projectLabels } from '../../core/labels';
import type { Paths } from '../../core/paths';
import type { Db } from '../../core/store/db';
import { nowIso } from '../../core/time';
import { getProject } from '../projects/projects';
import { storedNumbers } from '../../core/store/storedJson';

/**
 * Writing a project's examples with their human labels to a CSV or JSON Lines file in the exports folder. In a
 * multi-label project the label is the document's current set of names: in CSV a JSON array in the `label` column
 * (`[]` is "none of these", blank is not labelled yet; the importer reads it back with the JSON or auto format), in
 * JSON Lines `labels` (an array, or null when not labelled yet).
 */

const HUMAN_LABEL = humanLabelSql('e');
const HUMAN_LABEL_SET = humanLabelSetSql('e');

function csvField(v: string | number | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function exportDataset(
  db: Db,
  paths: Paths,
  projectId: number,
  format: 'csv' | 'jsonl',
  includeExcluded: boolean,
): ExportResult {
  const project = getProject(db, projectId);
  const stamp = nowIso().replace(/[:.]/g, '-');
  const safe = project.name.replace(/[^\p{L}\p{N}._-]+/gu, '_').slice(0, 60) || 'project';
  const fileName = `${safe}-data-${stamp}.${format}`;
  const path = join(paths.exports, fileName);
  const multi = projectKind(db, projectId) === 'multi';
  // Names in the project's label order, so that a set reads the same in every row.
  const labels = projectLabels(db, projectId);
  const setNames = (json: string | null, exampleId: number): string[] | null => {
    if (json === null) return null;
    const ids = new Set(storedNumbers(json, 'human_label_sets.label_set', exampleId));
    return labels.filter((l) => ids.has(l.id)).map((l) => l.name);
  };
  const fd = openSync(path, 'wx');
  let rows = 0;
  try {
    const columns = [
      'id',
      'text',
      'label',
      'split',
      'source',
      'source_row',
      'external_id',
      'excluded',
      'exclude_reason',
    ];
    // A BOM lets Excel open UTF-8 (Chinese) CSV correctly.
    if (format === 'csv') writeSync(fd, '\ufeff' + columns.join(',') + '\n');
    const iter = db
      .prepare(
        `SELECT e.id, e.text, l.name AS label, ${multi ? HUMAN_LABEL_SET : 'NULL'} AS label_set, e.split, d.name AS source, e.source_row, e.external_id, e.excluded,
                e.exclude_reason
         FROM examples e LEFT JOIN datasets d ON d.id = e.dataset_id LEFT JOIN labels l ON l.id = ${HUMAN_LABEL}
         WHERE e.project_id = ? AND (? OR e.excluded = 0) ORDER BY e.id`,
      )
      .iterate(projectId, includeExcluded ? 1 : 0) as IterableIterator<{
      id: number;
      text: string;
      label: string | null;
      label_set: string | null;
      split: string | null;
      source: string | null;
      source_row: number | null;
      external_id: string | null;
      excluded: number;
      exclude_reason: string | null;
    }>;
    let chunk: string[] = [];
    for (const r of iter) {
      rows++;
      const names = multi ? setNames(r.label_set, r.id) : null;
      if (format === 'csv') {
        chunk.push(
          [
            r.id,
            r.text,
            multi ? (names === null ? null : JSON.stringify(names)) : r.label,
            r.split,
            r.source,
            r.source_row,
            r.external_id,
            r.excluded,
            r.exclude_reason,
          ]
            .map(csvField)
            .join(','),
        );
      } else {
        chunk.push(
          JSON.stringify({
            id: r.id,
            text: r.text,
            ...(multi ? { labels: names } : { label: r.label }),
            split: r.split,
            source: r.source,
            source_row: r.source_row,
            external_id: r.external_id,
            excluded: r.excluded === 1,
            exclude_reason: r.exclude_reason,
          }),
        );
      }
      if (chunk.length >= 2000) {
        writeSync(fd, chunk.join('\n') + '\n');
        chunk = [];
      }
    }
    if (chunk.length) writeSync(fd, chunk.join('\n') + '\n');
  } finally {
    closeSync(fd);
  }
  // Recorded with the project, so that deleting the project deletes this copy of its texts too.
  audit(db, { projectId, actor: 'export', action: 'export', entity: 'dataset', details: { path, rows } });
  return { path, fileName, rows };
}
