import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { MaskRule } from '../../../shared/masking';
import { contract } from '../../../shared/contract';
import { defineCommand, idArg, PROJECT_ID } from '../../cli/command';
import { schemaOptions } from '../../cli/schemaOptions';
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

const preview = schemaOptions(contract['dataset.maskPreview'].input, {
  sample: { help: 'preview: how many documents to look at' },
});

/** `distillery data mask ...`: a project's masking rules (the cleaning step's "mask" option applies them). */
export const maskCommands: CliCommand[] = [
  defineCommand({
    name: 'data mask',
    summary:
      "A project's masking rules: list, add (names list or regular expression), remove, enable, disable, preview",
    args: [{ name: ACTIONS.join('|') }, PROJECT_ID, { name: 'NAME|TEXT', optional: true }],
    from: preview,
    options: {
      name: { type: 'string', value: 'NAME', help: "add: the new rule's name" },
      names: { type: 'string', value: '"A,B"', help: 'add: the names to mask, comma-separated' },
      'names-file': { type: 'string', value: 'FILE', help: 'add: the names to mask, one a line (UTF-8)' },
      regex: { type: 'string', value: 'EXPR', help: 'add: a regular expression instead of names' },
      'ignore-case': { type: 'boolean', help: 'add: the expression ignores case' },
      replacement: { type: 'string', value: 'TEXT', help: 'add: what a match becomes' },
    },
    notes: [
      'rules lists the rules; remove|enable|disable PROJECT_ID NAME; preview counts matches per rule on a sample;',
      'try PROJECT_ID TEXT shows the text as the rules would mask it.',
      'Masking is applied by "distillery data clean PROJECT_ID --mask --apply". A custom expression is JavaScript syntax',
      '(Unicode mode); one that matches the empty text is refused, and one that runs longer than 250 ms on a text is stopped.',
    ],
    run: async ({ positionals, values, given }, io) => {
      const action = positionals[0];
      if (!(ACTIONS as readonly string[]).includes(action ?? '')) {
        throw AppError.keyed('INVALID_INPUT', 'dataset.sayWhatDoData', { ACTIONS: ACTIONS.join('|') });
      }
      const projectId = idArg(positionals[1], PROJECT_ID);
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
          const p = await core.call('dataset.maskPreview', { ...given, projectId });
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
  }),
];
