import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ImportReport } from '../../../shared/review';
import { AppError } from '../../core/errors';
import { defineCommand, PROJECT_ID, type ArgSpec } from '../../cli/command';
import type { CliCommand } from '../../cli/types';

const DOCUMENT_ID: ArgSpec = {
  name: 'DOCUMENT_ID',
  id: { what: 'document', hint: 'distillery data search PROJECT_ID' },
};
const ANNOTATOR = {
  type: 'string',
  value: 'NAME',
  help: 'As this annotator (default: the one in the settings)',
} as const;

function reportLines(r: ImportReport): string[] {
  const lines = [
    `${r.lines} lines: ${r.imported} imported, ${r.duplicates} already present, ${r.conflicts.length} conflicts.`,
  ];
  for (const p of r.invalid) lines.push(`  line ${p.line}: ${p.message}`);
  for (const p of r.unknownExamples) lines.push(`  line ${p.line}: ${p.message}`);
  for (const p of r.unknownLabels) lines.push(`  line ${p.line}: ${p.message}`);
  for (const c of r.conflicts) {
    lines.push(
      `  line ${c.line}: document ${c.exampleId} is "${c.currentLabel}" (${c.currentAnnotator}); the file says "${c.importedLabel}" (${c.importedAnnotator})`,
    );
  }
  return lines;
}

/** Label ids of the names a person typed (any case), or an error that lists the project's labels. */
export function labelIdsByName(
  labels: ReadonlyArray<{ id: number; name: string }>,
  names: readonly string[],
): number[] {
  const byName = new Map(labels.map((l) => [l.name.toLowerCase(), l.id]));
  return names.map((n) => {
    const id = byName.get(n.trim().toLowerCase());
    if (id === undefined) {
      throw AppError.keyed('INVALID_INPUT', 'review.labelProjectLabels', {
        n,
        p1: labels.map((l) => l.name).join(', '),
      });
    }
    return id;
  });
}

/**
 * `distillery review label`: one document's label saved as the Review step saves it (review.annotate), by label
 * names; a multi-label project takes the whole set (--label repeated, or --none for "none of these").
 */
const labelCommand = defineCommand({
  name: 'review label',
  summary: "Label one document (multi-label: its whole set, or --none), or accept the teacher's answer",
  args: [PROJECT_ID, DOCUMENT_ID],
  options: {
    label: {
      type: 'string',
      multiple: true,
      value: 'NAME',
      help: 'The label (single-label project: one; multi-label: repeat it for each label that applies)',
    },
    none: { type: 'boolean', help: 'Multi-label projects: none of the labels applies' },
    'accept-teacher': {
      type: 'boolean',
      help: "Save the teacher's label (its set, in a multi-label project) as yours",
    },
    annotator: ANNOTATOR,
  },
  notes: ['Give one of --label, --none and --accept-teacher. Document ids: "distillery data search".'],
  run: async ({ values, id }, io) => {
    const projectId = id(0);
    const exampleId = id(1);
    const names = (values.label as string[] | undefined) ?? [];
    const none = Boolean(values.none);
    const acceptTeacher = Boolean(values['accept-teacher']);
    if ([names.length > 0, none, acceptTeacher].filter(Boolean).length !== 1) {
      throw AppError.keyed('INVALID_INPUT', 'review.giveLabelLabelName', {});
    }
    const annotator = values.annotator === undefined ? undefined : String(values.annotator);
    const core = await io.core();
    const state = await core.call('review.state', { projectId, annotator });
    const multi = state.kind === 'multi';
    const ids = labelIdsByName(state.labels, names);
    if (!multi && (none || ids.length > 1)) {
      throw AppError.keyed('INVALID_INPUT', 'review.singleLabelProjectGive', {});
    }
    let answer: { labelId?: number; labelSet?: number[] } = multi ? { labelSet: ids } : { labelId: ids[0] };
    if (acceptTeacher) {
      const item = await core.call('review.item', { projectId, exampleId, annotator });
      const t = item.teacher;
      const teacherAnswer = multi ? t?.predictedSet : t?.predictedLabelId;
      if (teacherAnswer === null || teacherAnswer === undefined) {
        throw AppError.keyed('INVALID_INPUT', 'review.teacherHasLabelDocument', {});
      }
      answer =
        typeof teacherAnswer === 'number' ? { labelId: teacherAnswer } : { labelSet: [...teacherAnswer] };
    }
    const r = await core.call('review.annotate', {
      projectId,
      exampleId,
      ...answer,
      acceptTeacher: acceptTeacher || undefined,
      // The person's queue in the Review step stays the one they were on.
      queue: state.position?.queue ?? { kind: 'unreviewed' },
      annotator,
    });
    const nameOf = new Map(state.labels.map((l) => [l.id, l.name]));
    const labels = (answer.labelSet ?? [answer.labelId ?? 0]).map((id) => nameOf.get(id) ?? String(id));
    io.print(
      `Document ${exampleId}: ${labels.length ? labels.join(', ') : 'none of these'} (annotation ${r.annotationId}).`,
    );
    return { exampleId, annotationId: r.annotationId, labels };
  },
});

/** `distillery review ...` commands. */
export const reviewCommands: CliCommand[] = [
  labelCommand,
  defineCommand({
    name: 'review export',
    summary: 'Export the annotations of a project as JSONL (to merge on another machine)',
    args: [PROJECT_ID],
    options: {
      out: { type: 'string', value: 'FILE', help: 'Write them to FILE (default: standard output)' },
      annotator: { ...ANNOTATOR, help: "Only this annotator's annotations" },
    },
    run: async ({ id, values }, io) => {
      const core = await io.core();
      const r = await core.call('review.export', {
        projectId: id(0),
        annotator: values.annotator as string | undefined,
      });
      if (values.out) {
        const file = resolve(String(values.out));
        writeFileSync(file, r.jsonl);
        io.print(`Wrote ${r.count} annotations to ${file}`);
        return { file, count: r.count };
      }
      if (!io.json) process.stdout.write(r.jsonl);
      return r;
    },
  }),
  defineCommand({
    name: 'review import',
    summary: 'Merge annotations from a JSONL file; conflicts and unknown documents are reported',
    args: [PROJECT_ID, { name: 'FILE' }],
    options: {
      'dry-run': { type: 'boolean', help: 'Only report what would happen' },
      'allow-partial': {
        type: 'boolean',
        help: 'Import the good lines even when others refer to unknown documents or labels',
      },
      'take-theirs': {
        type: 'boolean',
        help: 'On a conflict, the file label becomes the current one (default: keep ours)',
      },
    },
    run: async ({ positionals, values, id: idOf }, io) => {
      const id = idOf(0);
      if (!positionals[1]) throw AppError.keyed('INVALID_INPUT', 'review.giveJsonlFileImport', {});
      // The core reads the file itself: no request-size limit on how many annotations it holds.
      const core = await io.core();
      const r = await core.call('review.import', {
        projectId: id,
        path: resolve(positionals[1]),
        dryRun: Boolean(values['dry-run']),
        allowPartial: Boolean(values['allow-partial']),
        onConflict: values['take-theirs'] ? 'theirs' : 'skip',
      });
      for (const line of reportLines(r)) io.print(line);
      const problems = r.invalid.length + r.unknownExamples.length + r.unknownLabels.length;
      if (r.dryRun && problems > 0 && !values['dry-run']) {
        throw AppError.keyed('BAD_FILE', 'review.linesReferUnknownDocuments', { problems }, r);
      }
      if (r.dryRun) io.print('Nothing was written (dry run).');
      return r;
    },
  }),
  defineCommand({
    name: 'review agreement',
    summary:
      "Agreement between annotators (Cohen's and Fleiss' kappa; multi-label: per label, and Krippendorff's alpha over sets)",
    args: [PROJECT_ID],
    options: {
      annotator: {
        ...ANNOTATOR,
        multiple: true,
        help: 'Only these annotators (repeat it; default: everyone)',
      },
    },
    run: async ({ id, values }, io) => {
      const core = await io.core();
      const chosen = values.annotator as string[] | undefined;
      const r = await core.call('review.agreement', {
        projectId: id(0),
        annotators: chosen && chosen.length > 0 ? chosen : undefined,
      });
      const fmt = (k: number | null): string => (k === null ? 'undefined' : k.toFixed(3));
      if (r.sets) {
        // Multi-label: alpha over whole sets, then each label's kappa per pair (and Fleiss' over everyone).
        if (r.sets.units === 0) io.print('No two annotators labelled the same documents yet.');
        else {
          io.print(
            `Krippendorff's alpha over label sets (MASI distance): ${fmt(r.sets.alpha)} on ${r.sets.units} documents`,
          );
          for (const l of r.sets.perLabel) {
            const pairs = l.pairs.map((p) => `${p.a}/${p.b} kappa ${fmt(p.kappa)}`).join(', ');
            const fleiss = r.annotators.length > 2 ? `, Fleiss' kappa ${fmt(l.fleiss)}` : '';
            io.print(`  ${l.name}: ${pairs}${fleiss}`);
          }
        }
        io.print(`${r.disagreements} documents to adjudicate.`);
        return r;
      }
      if (r.pairs.length === 0) io.print('No two annotators labelled the same documents yet.');
      for (const p of r.pairs) {
        io.print(
          `${p.a} / ${p.b}: ${p.overlap} shared documents, ${p.agreed} agreed, Cohen's kappa ${fmt(p.kappa)}`,
        );
      }
      if (r.fleiss && r.annotators.length > 2) {
        io.print(
          `Fleiss' kappa over ${r.fleiss.documents} documents all ${r.fleiss.raters} labelled: ${fmt(r.fleiss.kappa)}`,
        );
      }
      io.print(`${r.disagreements} documents to adjudicate.`);
      return r;
    },
  }),
  defineCommand({
    name: 'review gold',
    summary: 'Gold test set: human labels per class on the test split',
    args: [PROJECT_ID],
    run: async ({ id }, io) => {
      const core = await io.core();
      const r = await core.call('review.gold', { projectId: id(0) });
      io.print(`${r.labelled} of ${r.testTotal} test documents have a human label.`);
      for (const c of r.classes)
        io.print(`  ${c.name}: ${c.count}${c.enough ? '' : ` (fewer than ${r.minPerClass})`}`);
      if (r.warnings.length) {
        io.print(
          `Label more test documents of: ${r.warnings.join(', ')}; their scores would not be reliable yet.`,
        );
      }
      return r;
    },
  }),
];
