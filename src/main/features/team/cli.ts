import { createInterface } from 'node:readline';
import { contract } from '../../../shared/contract';
import { ROLES, type Role, type TeamUser } from '../../../shared/team';
import { AppError } from '../../core/errors';
import { defineCommand, PROJECT_ID, type ArgSpec, type ExtraOption } from '../../cli/command';
import { printList } from '../../cli/output';
import { schemaOptions } from '../../cli/schemaOptions';
import type { CliCommand } from '../../cli/types';
import { labelIdsByName } from '../review/cli';

/** A password from stdin: the first line when piped (`--password-stdin`, scripts), a prompt without echo on a terminal. */
async function readPassword(prompt: string): Promise<string> {
  if (!process.stdin.isTTY) {
    let text = '';
    for await (const chunk of process.stdin) text += String(chunk);
    const line = text.split(/\r?\n/)[0] ?? '';
    if (!line) throw AppError.keyed('INVALID_INPUT', 'team.givePasswordFirstLine', {});
    return line;
  }
  const muted = { muted: false };
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  const write = (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput.bind(rl);
  (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
    if (!muted.muted) write(s);
  };
  try {
    const answer = new Promise<string>((resolve) => rl.question(prompt, resolve));
    muted.muted = true;
    const password = await answer;
    process.stderr.write('\n');
    return password;
  } finally {
    rl.close();
  }
}

function role(value: Role | undefined): Role {
  if (value !== undefined) return value;
  throw AppError.keyed('INVALID_INPUT', 'team.giveRole', { ROLES: ROLES.join(', ') });
}

const ROLE_HELP = { help: 'What the account may do: administer, lead (adjudicate) or annotate' };
const addUser = schemaOptions(contract['team.addUser'].input, { role: ROLE_HELP });
const updateUser = schemaOptions(contract['team.updateUser'].input, { role: ROLE_HELP });
const assign = schemaOptions(contract['team.assign'].input, {
  annotators: { flag: 'annotator', value: 'NAME', help: 'An annotator to give documents to' },
  overlap: { help: 'Share of the documents given to two annotators (their agreement is measured)' },
  limit: { help: 'Give at most this many documents' },
});
const NAME: ArgSpec = { name: 'NAME' };
const PASSWORD_STDIN: Readonly<Record<string, ExtraOption>> = {
  'password-stdin': {
    type: 'boolean',
    help: 'Read the password from the first line of standard input (without it: asked for, or read when piped)',
  },
};

function userLine(u: TeamUser): string {
  return `${u.username.padEnd(24)} ${u.role.padEnd(10)} ${u.disabled ? 'disabled' : 'enabled '}  last login: ${u.lastLoginAt ?? 'never'}`;
}

function needName(positionals: string[]): string {
  const name = positionals[0];
  if (!name) throw AppError.keyed('INVALID_INPUT', 'team.giveUsernameEG', {});
  return name;
}

/**
 * `distillery users ...`: the team-mode accounts, for the administrator at the server's own console (run them while
 * the server is stopped; a running server's administrators use the Team page instead).
 */
export const teamCommands: CliCommand[] = [
  defineCommand({
    name: 'users list',
    summary: 'List the team-mode accounts',
    run: async (_args, io) => {
      const users = await (await io.core()).call('team.users', {});
      return printList(
        io,
        users,
        userLine,
        'No accounts yet. Add an administrator: distillery users add NAME --role admin',
      );
    },
  }),
  defineCommand({
    name: 'users add',
    summary: 'Add a team-mode account (the password is asked for, or read from standard input)',
    args: [NAME],
    from: addUser,
    options: PASSWORD_STDIN,
    run: async ({ positionals, given }, io) => {
      const username = needName(positionals);
      const r = role(given.role);
      const core = await io.core();
      const password = await readPassword(`Password for ${username}: `);
      const u = await core.call('team.addUser', { username, role: r, password });
      io.print(`Added ${u.role} ${u.username}.`);
      return u;
    },
  }),
  defineCommand({
    name: 'users password',
    summary: "Set an account's password (ends its sessions)",
    args: [NAME],
    options: PASSWORD_STDIN,
    run: async ({ positionals }, io) => {
      const username = needName(positionals);
      const core = await io.core();
      const password = await readPassword(`New password for ${username}: `);
      const r = await core.call('team.setPassword', { username, password });
      io.print(`Password of ${username} changed; its sessions have ended.`);
      return r;
    },
  }),
  defineCommand({
    name: 'users role',
    summary: "Change an account's role",
    args: [NAME],
    from: updateUser,
    run: async ({ positionals, given }, io) => {
      const u = await (
        await io.core()
      ).call('team.updateUser', { username: needName(positionals), role: role(given.role) });
      io.print(userLine(u));
      return u;
    },
  }),
  ...(
    [
      ['disable', true, 'Disable an account (its sessions end at once; its labels stay)'],
      ['enable', false, 'Enable a disabled account again'],
    ] as const
  ).map(([verb, disabled, summary]): CliCommand =>
    defineCommand({
      name: `users ${verb}`,
      summary,
      args: [NAME],
      run: async ({ positionals }, io) => {
        const core = await io.core();
        const u = await core.call('team.updateUser', { username: needName(positionals), disabled });
        io.print(userLine(u));
        return u;
      },
    }),
  ),
  defineCommand({
    name: 'team assign',
    summary: "Give a project's unlabelled documents to annotators, a share of them to two (agreement)",
    args: [PROJECT_ID],
    from: assign,
    run: async ({ id, given }, io) => {
      const r = await (await io.core()).call('team.assign', { annotators: [], ...given, projectId: id(0) });
      io.print(
        `Assigned ${r.assigned} documents to ${r.annotators.join(', ')}; ${r.overlapping} of them to two people.`,
      );
      return r;
    },
  }),
  defineCommand({
    name: 'team adjudicate',
    summary: 'Show the next conflict between annotators, or decide one (multi-label: a whole set)',
    args: [PROJECT_ID, { name: 'DOCUMENT_ID', optional: true, id: { what: 'document' } }],
    options: {
      label: {
        type: 'string',
        multiple: true,
        value: 'NAME',
        help: 'The decided label (multi-label: repeat it for each label that applies)',
      },
      none: { type: 'boolean', help: 'Multi-label projects: none of the labels applies' },
    },
    notes: ['Without DOCUMENT_ID: the next open conflict, its text and what each annotator gave.'],
    run: async ({ positionals, values, id }, io) => {
      const projectId = id(0);
      const core = await io.core();
      const state = await core.call('review.state', { projectId });
      const multi = state.kind === 'multi';
      const nameOf = new Map(state.labels.map((l) => [l.id, l.name]));
      const setText = (set: readonly number[]): string =>
        set.length === 0 ? '(none of these)' : set.map((id) => nameOf.get(id) ?? `#${id}`).join(', ');
      const names = (values.label as string[] | undefined) ?? [];
      const none = Boolean(values.none);
      if (positionals[1] === undefined) {
        if (names.length > 0 || none) {
          throw AppError.keyed('INVALID_INPUT', 'team.giveDocumentDecideProject', {});
        }
        const item = await core.call('review.next', {
          projectId,
          queue: { kind: 'conflicts' },
          exampleId: null,
        });
        if (!item) {
          io.print('No conflicts left to decide.');
          return { conflict: null };
        }
        const given = new Map<string, string>();
        for (const h of item.history) {
          if (h.retractedAt !== null || given.has(h.annotator)) continue;
          if (h.labelSet !== null) given.set(h.annotator, setText(h.labelSet));
          else if (h.labelName !== null) given.set(h.annotator, h.labelName);
        }
        io.print(`Document ${item.exampleId}: ${item.text.slice(0, 300)}`);
        for (const [who, answer] of given) io.print(`  ${who}: ${answer}`);
        io.print(
          `Decide with: distillery team adjudicate ${projectId} ${item.exampleId} ` +
            (multi ? '--label NAME ... (or --none)' : '--label NAME'),
        );
        return { conflict: { exampleId: item.exampleId, given: Object.fromEntries(given) } };
      }
      const exampleId = id(1);
      if (names.length > 0 === none) {
        throw AppError.keyed('INVALID_INPUT', multi ? 'team.giveDecidedSet' : 'team.giveDecidedLabel');
      }
      const ids = labelIdsByName(state.labels, names);
      if (!multi && (none || ids.length !== 1)) {
        throw AppError.keyed('INVALID_INPUT', 'team.singleLabelProjectGive', {});
      }
      const r = await core.call('team.adjudicate', {
        projectId,
        exampleId,
        ...(multi ? { labelSet: ids } : { labelId: ids[0] }),
      });
      io.print(
        `Decided document ${exampleId}: ${multi ? setText([...new Set(ids)].sort((a, b) => a - b)) : names[0]}.`,
      );
      return r;
    },
  }),
];
