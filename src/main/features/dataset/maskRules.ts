import {
  AddMaskRule,
  BUILTIN_MASK_RULES,
  DEFAULT_ON_MASK_RULES,
  type AddMaskRuleInput,
  type MaskPreview,
  type MaskRule,
} from '../../../shared/masking';
import { audit } from '../../core/audit';
import { AppError } from '../../core/errors';
import type { Db } from '../../core/store/db';
import { nowIso } from '../../core/time';
import { getProject } from '../projects/projects';
import { builtinRules, compileRules, findMaskSpans, namesPattern, validateCustomRegex } from './masking';

/** A project's masking rules, stored in mask_rules (migration 014): the built-ins' state, then the user's rules. */

interface Row {
  name: string;
  kind: 'builtin' | 'names' | 'regex';
  enabled: number;
  body: string;
  case_insensitive: number;
  replacement: string;
}

export function projectMaskRules(db: Db, projectId: number): MaskRule[] {
  const rows = db
    .prepare(
      'SELECT name, kind, enabled, body, case_insensitive, replacement FROM mask_rules WHERE project_id = ? ORDER BY position, created_at, name',
    )
    .all(projectId) as Row[];
  const builtinState = new Map(
    rows.filter((r) => r.kind === 'builtin').map((r) => [r.name, r.enabled === 1]),
  );
  const enabled = new Set<string>(
    BUILTIN_MASK_RULES.filter((n) => builtinState.get(n) ?? DEFAULT_ON_MASK_RULES.includes(n)),
  );
  const custom: MaskRule[] = rows
    .filter((r) => r.kind !== 'builtin')
    .map((r) => {
      const names = r.kind === 'names' ? r.body.split('\n').filter(Boolean) : undefined;
      return {
        name: r.name,
        kind: r.kind,
        enabled: r.enabled === 1,
        description:
          r.kind === 'names'
            ? `${names?.length ?? 0} names from a list`
            : `Regular expression ${r.body}${r.case_insensitive ? ' (any case)' : ''}`,
        pattern: r.kind === 'names' ? namesPattern(names ?? []) : r.body,
        replacement: r.replacement,
        ...(names ? { names } : { caseInsensitive: r.case_insensitive === 1 }),
      };
    });
  return [...builtinRules(enabled), ...custom];
}

function findRule(db: Db, projectId: number, name: string): MaskRule {
  const rule = projectMaskRules(db, projectId).find((r) => r.name.toLowerCase() === name.toLowerCase());
  if (!rule) {
    throw AppError.keyed('NOT_FOUND', 'maskRuleMissing', { rule: name }, { rule: name });
  }
  return rule;
}

export function addMaskRule(db: Db, projectId: number, input: AddMaskRuleInput, actor: string): MaskRule[] {
  getProject(db, projectId);
  const rule = AddMaskRule.parse(input);
  if (projectMaskRules(db, projectId).some((r) => r.name.toLowerCase() === rule.name.toLowerCase())) {
    throw AppError.keyed('CONFLICT', 'maskRuleExists', { rule: rule.name }, { rule: rule.name });
  }
  if (rule.kind === 'regex') validateCustomRegex(rule.pattern, rule.caseInsensitive);
  const names = rule.kind === 'names' ? rule.names.map((n) => n.replace(/\s+/g, ' ').trim()) : [];
  const replacement = rule.replacement ?? `[${rule.name.toUpperCase().replace(/\s+/g, '_')}]`;
  db.transaction(() => {
    const position =
      (
        db.prepare('SELECT MAX(position) AS p FROM mask_rules WHERE project_id = ?').get(projectId) as {
          p: number | null;
        }
      ).p ?? 0;
    db.prepare(
      `INSERT INTO mask_rules (project_id, name, kind, enabled, body, case_insensitive, replacement, position, created_at)
       VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?)`,
    ).run(
      projectId,
      rule.name,
      rule.kind,
      rule.kind === 'names' ? names.join('\n') : rule.pattern,
      rule.kind === 'regex' && rule.caseInsensitive ? 1 : 0,
      replacement,
      position + 1,
      nowIso(),
    );
    audit(db, {
      projectId,
      actor,
      action: 'mask_rules',
      entity: 'mask_rule',
      // The names themselves are personal data: the audit log keeps how many, not who.
      details: {
        added: rule.name,
        kind: rule.kind,
        ...(rule.kind === 'names' ? { names: names.length } : { pattern: rule.pattern }),
      },
    });
  })();
  return projectMaskRules(db, projectId);
}

export function setMaskRuleEnabled(
  db: Db,
  projectId: number,
  name: string,
  enabled: boolean,
  actor: string,
): MaskRule[] {
  getProject(db, projectId);
  const rule = findRule(db, projectId, name);
  db.transaction(() => {
    if (rule.kind === 'builtin') {
      db.prepare(
        `INSERT INTO mask_rules (project_id, name, kind, enabled, created_at) VALUES (?, ?, 'builtin', ?, ?)
         ON CONFLICT (project_id, name) DO UPDATE SET enabled = excluded.enabled`,
      ).run(projectId, rule.name, enabled ? 1 : 0, nowIso());
    } else {
      db.prepare('UPDATE mask_rules SET enabled = ? WHERE project_id = ? AND name = ?').run(
        enabled ? 1 : 0,
        projectId,
        rule.name,
      );
    }
    audit(db, {
      projectId,
      actor,
      action: 'mask_rules',
      entity: 'mask_rule',
      details: { [enabled ? 'enabled' : 'disabled']: rule.name },
    });
  })();
  return projectMaskRules(db, projectId);
}

export function removeMaskRule(db: Db, projectId: number, name: string, actor: string): MaskRule[] {
  getProject(db, projectId);
  const rule = findRule(db, projectId, name);
  if (rule.kind === 'builtin') {
    throw AppError.keyed(
      'INVALID_INPUT',
      'maskBuiltinRemove',
      { rule: rule.name },
      { rule: rule.name, reason: 'builtin' },
    );
  }
  db.transaction(() => {
    db.prepare('DELETE FROM mask_rules WHERE project_id = ? AND name = ?').run(projectId, rule.name);
    audit(db, {
      projectId,
      actor,
      action: 'mask_rules',
      entity: 'mask_rule',
      details: { removed: rule.name },
    });
  })();
  return projectMaskRules(db, projectId);
}

/**
 * Counts per enabled rule on a sample of the project's documents (spread evenly over it by id, so that the preview
 * of a million rows stays quick), with the first few documents that have a match and their spans.
 */
export function maskPreview(db: Db, projectId: number, sample: number): MaskPreview {
  getProject(db, projectId);
  const rules = projectMaskRules(db, projectId).filter((r) => r.enabled);
  const compiled = compileRules(rules);
  const total = (
    db.prepare('SELECT COUNT(*) AS n FROM examples WHERE project_id = ? AND excluded = 0').get(projectId) as {
      n: number;
    }
  ).n;
  const step = Math.max(1, Math.floor(total / sample));
  const docs = db
    .prepare(
      `SELECT id, text FROM (
         SELECT id, text, ROW_NUMBER() OVER (ORDER BY id) - 1 AS k FROM examples WHERE project_id = ? AND excluded = 0
       ) WHERE k % ? = 0 ORDER BY id LIMIT ?`,
    )
    .all(projectId, step, sample) as Array<{ id: number; text: string }>;
  const matches = new Map<string, number>();
  const documents = new Map<string, number>();
  const samples: Array<MaskPreview['samples'][number]> = [];
  for (const d of docs) {
    const spans = findMaskSpans(d.text, compiled);
    if (spans.length === 0) continue;
    const seen = new Set<string>();
    for (const s of spans) {
      matches.set(s.rule, (matches.get(s.rule) ?? 0) + 1);
      seen.add(s.rule);
    }
    for (const r of seen) documents.set(r, (documents.get(r) ?? 0) + 1);
    if (samples.length < 10)
      samples.push({ id: d.id, text: d.text.slice(0, 2000), spans: spans.filter((s) => s.end <= 2000) });
  }
  return {
    documents: docs.length,
    total,
    perRule: rules.map((r) => ({
      rule: r.name,
      matches: matches.get(r.name) ?? 0,
      documents: documents.get(r.name) ?? 0,
    })),
    samples,
  };
}
