import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import iconv from 'iconv-lite';
import { writeTinyModel } from '../fixtures/gguf/generate';
import { ROOT } from '../helpers';

export { ROOT };

/** Why a delivery test cannot run here, or null. They need root (unshare -n, dpkg) and these tools. */
export function missingPrerequisite(tools: readonly string[]): string | null {
  if (process.platform !== 'linux' || process.arch !== 'x64') return 'the bundle is for Linux x64 only';
  if (process.getuid?.() !== 0) return 'needs root (unshare -n, dpkg, runuser): run as root, as .ci/run does';
  for (const tool of tools) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `"${tool}" is not installed`;
  }
  return null;
}

export interface PipelineInput {
  readonly csv: string;
  readonly rows: number;
  readonly gguf: string;
  readonly review: ReadonlyArray<{ id: string; text: string; label: string }>;
}

/**
 * The inputs, made before entering the namespace: 122 rows of financial_phrasebank (a real shared dataset), kept in
 * its own latin-1 encoding with an id column added, and the generated tiny GGUF.
 */
export function preparePipelineInput(dir: string): PipelineInput {
  mkdirSync(dir, { recursive: true });
  const source = iconv.decode(
    readFileSync(join(ROOT, '..', 'shared', 'datasets', 'financial_phrasebank', 'all-data.csv')),
    'latin1',
  );
  const rows = source
    .split('\n')
    .slice(1)
    .filter((l) => l.trim())
    .filter((_, i) => i % 40 === 0) // every 40th sentence: all three classes, in their proportions
    .map((line, i) => {
      const comma = line.indexOf(',');
      return { id: `fp-${i}`, label: line.slice(0, comma), quoted: line.slice(comma + 1).trim() };
    });
  const csv = join(dir, 'phrasebank-sample.csv');
  const body = ['id,label,content', ...rows.map((r) => `${r.id},${r.label},${r.quoted}`)].join('\n') + '\n';
  writeFileSync(csv, iconv.encode(body, 'latin1'));
  const unquote = (q: string): string => (q.startsWith('"') ? q.slice(1, -1).replace(/""/g, '"') : q);
  const flip: Record<string, string> = { neutral: 'positive', positive: 'negative', negative: 'neutral' };
  const review = rows.slice(0, 3).map((r) => ({ id: r.id, text: unquote(r.quoted), label: flip[r.label] }));
  const gguf = writeTinyModel(join(dir, 'tiny-qwen2.gguf'), { seed: 42 });
  return { csv, rows: rows.length, gguf, review };
}

export interface PipelineStep {
  readonly name: string;
  readonly ok: boolean;
  readonly problem: string | null;
  readonly ms?: number;
}

/**
 * Runs tests/delivery/pipeline.mjs with the installed copy's own Node.js inside `unshare -n` (loopback brought up),
 * all of it under strace. Returns the steps and the trace folder.
 */
export function runPipelineOffline(opts: {
  readonly node: string;
  readonly cli: string;
  readonly server: string;
  readonly work: string;
  readonly dataDir: string;
  readonly input: PipelineInput | null;
  /** Only start the server on a fresh data folder and time its first page; not traced. */
  readonly firstPageOnly?: boolean;
}): { steps: PipelineStep[]; traceDir: string; status: number | null } {
  const { work } = opts;
  writeFileSync(
    join(work, 'pipeline.json'),
    JSON.stringify({ ...opts.input, cli: opts.cli, server: opts.server, dataDir: opts.dataDir }),
  );
  const traceDir = join(work, 'trace');
  mkdirSync(traceDir, { recursive: true });
  const offline = [
    'unshare',
    '-n',
    '--',
    'sh',
    '-c',
    'ip link set lo up && exec "$0" "$@"',
    opts.node,
    join(ROOT, 'tests', 'delivery', 'pipeline.mjs'),
    work,
    ...(opts.firstPageOnly ? ['first-page'] : []),
  ];
  const strace = [
    '-f',
    '-ff',
    '--seccomp-bpf',
    '-qq',
    '-y',
    '-s',
    '4096',
    '-e',
    `trace=${TRACED.join(',')}`,
    '-e',
    'signal=none',
    '-o',
    join(traceDir, 't'),
  ];
  const [cmd, ...args] = opts.firstPageOnly ? offline : ['strace', ...strace, ...offline];
  const r = spawnSync(cmd, args, {
    cwd: work,
    // The installed copy must not lean on anything of the developer's: a clean environment, temp files in `work`.
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: work, TMPDIR: work, LANG: 'C.UTF-8' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let steps: PipelineStep[] = [];
  try {
    steps = (
      JSON.parse(readFileSync(join(work, 'pipeline-result.json'), 'utf8')) as { steps: PipelineStep[] }
    ).steps;
  } catch {
    steps = [{ name: 'driver', ok: false, problem: `no result: ${r.stderr.slice(-1500)}` }];
  }
  return { steps, traceDir, status: r.status };
}

const NETWORK = ['connect', 'bind', 'sendto', 'sendmsg'];
const WRITES = [
  'open',
  'openat',
  'openat2',
  'creat',
  'mkdir',
  'mkdirat',
  'rename',
  'renameat',
  'renameat2',
  'unlink',
  'unlinkat',
  'rmdir',
  'link',
  'linkat',
  'symlink',
  'symlinkat',
  'truncate',
  'chmod',
  'fchmodat',
  'chown',
  'fchownat',
  'mknod',
  'mknodat',
];
const TRACED = [...NETWORK, ...WRITES, 'chdir', 'execve'];

/**
 * Writes allowed outside the data folder and the temporary folder, each for a reason:
 * - /dev/null: child processes' ignored stdio (spawn with stdio 'ignore' opens it for writing);
 * - /dev/tty: none expected, but a terminal is not a place data can leave by; listed so a run from a shell passes;
 * - /proc/self|thread-self/...: per-process kernel settings (V8 and glibc write e.g. their own thread names), they
 *   are not files.
 * Failed attempts (e.g. mkdir of an existing parent) wrote nothing and are not counted.
 */
export const ALLOWED_WRITES: readonly RegExp[] = [
  /^\/dev\/null$/,
  /^\/dev\/tty$/,
  /^\/proc\/(self|thread-self|\d+)\/(task\/\d+\/)?(comm|oom_score_adj|attr\/.*)$/,
];

/** What may run besides the installed node: unshare, the shell, ip (lo up), the launchers and their readlink/dirname. */
export const EXPECTED_PROGRAMS: ReadonlySet<string> = new Set([
  'node',
  'unshare',
  'sh',
  'dash',
  'ip',
  'readlink',
  'dirname',
  'distillery',
  'distillery-server',
]);

export interface TraceReport {
  readonly processes: number;
  readonly socketCalls: Record<string, number>;
  readonly badSockets: string[];
  readonly writes: number;
  readonly badWrites: string[];
  readonly executed: string[];
  /** Changes of working folder to outside the allowed folders (relative paths are judged against the work dir). */
  readonly chdirs: string[];
}

const WRITE_FLAGS = /O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|O_APPEND/;

function isLoopback(family: string, line: string): boolean {
  if (family === 'AF_INET') return /inet_addr\("127\.\d+\.\d+\.\d+"\)/.test(line);
  if (family === 'AF_INET6') return /inet_pton\(AF_INET6, "(::1|::ffff:127\.\d+\.\d+\.\d+)"/.test(line);
  return false;
}

/** Every socket address and every successful write in the trace, judged against loopback and the allowed folders. */
export function analyseTrace(traceDir: string, allowedRoots: readonly string[]): TraceReport {
  const files = readdirSync(traceDir);
  const socketCalls: Record<string, number> = {};
  const badSockets: string[] = [];
  const badWrites: string[] = [];
  const executed = new Set<string>();
  const chdirs: string[] = [];
  let writes = 0;
  const inAllowed = (raw: string): boolean => {
    const path = resolve(raw); // no way out through `..`
    return (
      allowedRoots.some((root) => path === root || path.startsWith(`${root}/`)) ||
      ALLOWED_WRITES.some((re) => re.test(path))
    );
  };
  for (const file of files) {
    for (const line of readFileSync(join(traceDir, file), 'utf8').split('\n')) {
      const call = /^(\w+)\(/.exec(line)?.[1];
      if (!call) continue;
      if (NETWORK.includes(call)) {
        for (const m of line.matchAll(/sa_family=(AF_\w+)/g)) {
          const family = m[1];
          socketCalls[family] = (socketCalls[family] ?? 0) + 1;
          // Unix sockets and netlink (ip link set lo up, glibc's interface list) talk to this kernel only.
          const local =
            family === 'AF_UNIX' ||
            family === 'AF_NETLINK' ||
            family === 'AF_UNSPEC' ||
            isLoopback(family, line);
          if (!local) badSockets.push(`${file}: ${line}`);
        }
        continue;
      }
      if (call === 'execve') {
        const m = /^execve\("([^"]+)"/.exec(line);
        if (m && !/= -1 /.test(line)) executed.add(m[1]);
        continue;
      }
      if (call === 'chdir') {
        // spawn's cwd option: every child changes into the work dir before exec; anywhere else is reported.
        const target = /^chdir\("([^"]+)"/.exec(line)?.[1] ?? '';
        if (!/= -1 /.test(line) && !inAllowed(target)) chdirs.push(`${file}: ${line}`);
        continue;
      }
      if (/= -1 /.test(line)) continue; // failed: nothing written
      if ((call === 'open' || call === 'openat' || call === 'openat2') && !WRITE_FLAGS.test(line)) continue;
      writes++;
      // Every path a write call names (rename/link: both). Under -y a directory fd reads `5</dir>`: a relative
      // name after it is inside that folder; after AT_FDCWD, inside the working folder (the work dir or below it:
      // every process starts there and none leaves it, see chdirs).
      for (const m of line.matchAll(/(?:(\d+)<([^>]*)>, )?"((?:[^"\\]|\\.)*)"/g)) {
        const [, , dir, name] = m;
        const abs = name.startsWith('/') ? name : dir ? `${dir}/${name}` : null;
        if (abs !== null && !inAllowed(abs)) badWrites.push(`${file}: ${line}`);
      }
    }
  }
  return {
    processes: files.length,
    socketCalls,
    badSockets,
    writes,
    badWrites,
    executed: [...executed].sort(),
    chdirs,
  };
}
