import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { MaskRule } from '../../../shared/masking';
import { requireId } from '../../cli/args';
import type { CliCommand, CliIo } from '../../cli/types';
import { AppError } from '../../core/errors';

const ACTIONS = ['rules', 'add', 'remove', 'enable', 'disable', 'preview', 'try'] as const;

function printRules(rules: readonly MaskRule[], io: CliIo): void {
  for (const r of rules) {
    io.print(
      `${r.enabled ? '[x]' : '[ ]'} ${r.name.padEnd(24)} ${r.kind.padEnd(8)} ${r.replacement.padEnd(12)} ${r.description}`,
    );
  }
}

/** A names list: one name a line in --names-file (UTF-8), or comma-separated in --names. */
function namesArg(values: Record<string, unknown>): string[] {
  const file = values['names-file'] as string | undefined;
  const inline = values.names as string | undefined;
  const names = [
    ...(file ? readFileSync(resolve(file), 'utf8').split(/\r?\n/) : []),
    ...(inline ? inline.split(',') : []),
  ]
    .map((n) => n.trim())
    .filter(Boolean);
  if (names.length === 0) throw AppError.keyed('INVALID_INPUT', 'dataset.namesListEmptyGive', {});
  return names;
}

/** `distillery data mask ...`: a project's masking rules (the cleaning step's "mask" option applies them). */
export const maskCommands: CliCommand[] = [
  {
    name: 'data mask',
    summary:
      "A project's masking rules: list, add (names list or regular expression), remove, enable, disable, preview",
    usage:
      'distillery data mask rules PROJECT_ID\n' +
      'distillery data mask add PROJECT_ID --name NAME (--names "A,B" | --names-file FILE | --regex EXPR [--ignore-case]) [--replacement TEXT]\n' +
      'distillery data mask remove|enable|disable PROJECT_ID NAME\n' +
      'distillery data mask preview PROJECT_ID [--sample N]   (counts per rule on a sample of the documents)\n' +
      'distillery data mask try PROJECT_ID TEXT                (the text as the rules would mask it)\n' +
      'Masking is applied by "distillery data clean PROJECT_ID --mask --apply". A custom expression is JavaScript syntax\n' +
      '(Unicode mode); one that matches the empty text is refused, and one that runs longer than 250 ms on a text is stopped.',
    options: {
      name: { type: 'string' },
      names: { type: 'string' },
      'names-file': { type: 'string' },
      regex: { type: 'string' },
      'ignore-case': { type: 'boolean' },
      replacement: { type: 'string' },
      sample: { type: 'string' },
    },
    run: async ({ positionals, values }, io) => {
      const action = positionals[0];
      if (!(ACTIONS as readonly string[]).includes(action ?? '')) {
        throw AppError.keyed('INVALID_INPUT', 'dataset.sayWhatDoData', { ACTIONS: ACTIONS.join('|') });
      }
      const projectId = requireId(positionals[1], 'project');
      const core = await io.core();
      const ruleName = (): string => {
        const n = positionals[2];
        if (!n) throw AppError.keyed('INVALID_INPUT', 'dataset.giveRuleSName', { action });
        return n;
      };
      switch (action) {
        case 'rules': {
          const rules = await core.call('dataset.maskRules', { projectId });
          printRules(rules, io);
          return rules;
        }
        case 'add': {
          const name = values.name as string | undefined;
          if (!name) throw AppError.keyed('INVALID_INPUT', 'dataset.giveNewRuleName', {});
          const replacement = values.replacement as string | undefined;
          const regex = values.regex as string | undefined;
          if (regex !== undefined && (values.names || values['names-file'])) {
            throw AppError.keyed('INVALID_INPUT', 'dataset.giveRegexNamesList', {});
          }
          const rules = await core.call('dataset.maskAddRule', {
            projectId,
            rule:
              regex !== undefined
                ? {
                    kind: 'regex',
                    name,
                    pattern: regex,
                    caseInsensitive: Boolean(values['ignore-case']),
                    replacement,
                  }
                : { kind: 'names', name, names: namesArg(values), replacement },
          });
          printRules(rules, io);
          return rules;
        }
        case 'remove': {
          const rules = await core.call('dataset.maskRemoveRule', { projectId, name: ruleName() });
          printRules(rules, io);
          return rules;
        }
        case 'enable':
        case 'disable': {
          const rules = await core.call('dataset.maskSetEnabled', {
            projectId,
            name: ruleName(),
            enabled: action === 'enable',
          });
          printRules(rules, io);
          return rules;
        }
        case 'preview': {
          const sample = values.sample === undefined ? undefined : Number(values.sample);
          if (sample !== undefined && !(Number.isInteger(sample) && sample > 0)) {
            throw AppError.keyed('INVALID_INPUT', 'dataset.samplePositiveWholeNumber', {});
          }
          const p = await core.call('dataset.maskPreview', { projectId, sample });
          io.print(`Looked at ${p.documents} of ${p.total} documents.`);
          for (const r of p.perRule) {
            io.print(
              `  ${r.rule.padEnd(24)} ${String(r.matches).padStart(7)} matches in ${r.documents} documents`,
            );
          }
          return p;
        }
        case 'try': {
          const text = positionals.slice(2).join(' ');
          const r = await core.call('dataset.maskText', { projectId, text });
          io.print(r.text);
          return r;
        }
        default:
          throw AppError.keyed('INVALID_INPUT', 'dataset.unknownAction', { action });
      }
    },
  },
];
