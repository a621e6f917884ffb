import { createInterface } from 'node:readline';
import { ROLES, type Role, type TeamUser } from '../../../shared/team';
import { AppError } from '../../core/errors';
import type { CliCommand } from '../../cli/types';
import { requireId } from '../../cli/args';
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

function role(value: unknown): Role {
  if (typeof value === 'string' && (ROLES as readonly string[]).includes(value)) return value as Role;
  throw AppError.keyed('INVALID_INPUT', 'team.giveRole', { ROLES: ROLES.join(', ') });
}

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
  {
    name: 'users list',
    summary: 'List the team-mode accounts',
    usage: 'distillery users list',
    run: async (_args, io) => {
      const users = await (await io.core()).call('team.users', {});
      if (users.length === 0)
        io.print('No accounts yet. Add an administrator: distillery users add NAME --role admin');
      for (const u of users) io.print(userLine(u));
      return users;
    },
  },
  {
    name: 'users add',
    summary: 'Add a team-mode account (the password is asked for, or read from standard input)',
    usage: 'distillery users add NAME --role admin|lead|annotator [--password-stdin]',
    options: { role: { type: 'string' }, 'password-stdin': { type: 'boolean' } },
    run: async ({ positionals, values }, io) => {
      const username = needName(positionals);
      const r = role(values.role);
      const core = await io.core();
      const password = await readPassword(`Password for ${username}: `);
      const u = await core.call('team.addUser', { username, role: r, password });
      io.print(`Added ${u.role} ${u.username}.`);
      return u;
    },
  },
  {
    name: 'users password',
    summary: "Set an account's password (ends its sessions)",
    usage: 'distillery users password NAME [--password-stdin]',
    options: { 'password-stdin': { type: 'boolean' } },
    run: async ({ positionals }, io) => {
      const username = needName(positionals);
      const core = await io.core();
      const password = await readPassword(`New password for ${username}: `);
      const r = await core.call('team.setPassword', { username, password });
      io.print(`Password of ${username} changed; its sessions have ended.`);
      return r;
    },
  },
  {
    name: 'users role',
    summary: "Change an account's role",
    usage: 'distillery users role NAME --role admin|lead|annotator',
    options: { role: { type: 'string' } },
    run: async ({ positionals, values }, io) => {
      const u = await (
        await io.core()
      ).call('team.updateUser', { username: needName(positionals), role: role(values.role) });
      io.print(userLine(u));
      return u;
    },
  },
  ...(
    [
      ['disable', true, 'Disable an account (its sessions end at once; its labels stay)'],
      ['enable', false, 'Enable a disabled account again'],
    ] as const
  ).map(([verb, disabled, summary]): CliCommand => ({
    name: `users ${verb}`,
    summary,
    usage: `distillery users ${verb} NAME`,
    run: async ({ positionals }, io) => {
      const core = await io.core();
      const u = await core.call('team.updateUser', { username: needName(positionals), disabled });
      io.print(userLine(u));
      return u;
    },
  })),
  {
    name: 'team assign',
    summary: "Give a project's unlabelled documents to annotators, a share of them to two (agreement)",
    usage:
      'distillery team assign PROJECT_ID --annotator NAME [--annotator NAME...] [--overlap 0.1] [--limit N]',
    options: {
      annotator: { type: 'string', multiple: true },
      overlap: { type: 'string' },
      limit: { type: 'string' },
    },
    run: async ({ positionals, values }, io) => {
      const r = await (
        await io.core()
      ).call('team.assign', {
        projectId: requireId(positionals[0], 'project'),
        annotators: (values.annotator as string[] | undefined) ?? [],
        overlap: values.overlap === undefined ? 0.1 : Number(values.overlap),
        limit: values.limit === undefined ? undefined : requireId(values.limit, 'limit'),
      });
      io.print(
        `Assigned ${r.assigned} documents to ${r.annotators.join(', ')}; ${r.overlapping} of them to two people.`,
      );
      return r;
    },
  },
  {
    name: 'team adjudicate',
    summary: 'Show the next conflict between annotators, or decide one (multi-label: a whole set)',
    usage:
      'distillery team adjudicate PROJECT_ID [DOCUMENT_ID (--label NAME ... | --none)]\n' +
      '  without DOCUMENT_ID  show the next open conflict: its text and what each annotator gave\n' +
      '  --label NAME         the decided label (multi-label: repeat it for each label that applies)\n' +
      '  --none               multi-label projects: none of the labels applies',
    options: { label: { type: 'string', multiple: true }, none: { type: 'boolean' } },
    run: async ({ positionals, values }, io) => {
      const projectId = requireId(positionals[0], 'project');
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
      const exampleId = requireId(positionals[1], 'document');
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
  },
];
