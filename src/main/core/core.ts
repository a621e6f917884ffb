import {
  contract,
  isChannelName,
  type ChannelName,
  type Request,
  type Response,
} from '../../shared/contract';
import type { Result } from '../../shared/result';
import { err, ok } from '../../shared/result';
import { AppError, keyedInfo, toErrorInfo } from './errors';
import { EventBus } from './events';
import type { CoreContext, RunMode } from './feature';
import { JobManager, type JobRunner } from './jobs/jobs';
import { makePaths, removePartialFiles, type Paths } from './paths';
import { openDatabase, type Db } from './store/db';
import { acquireDataDirLock } from './store/lock';
import { makeReserve, releaseReserve } from './store/reserve';
import { relocateDataDir } from './store/relocate';
import { FEATURES, HANDLERS } from '../features';
import { pickedFileFields } from '../../shared/files';
import { isUpload } from './uploads';
import { restrictDataDir } from './permissions';
import type { JobKind } from '../../shared/jobs';
import type { ZodType } from 'zod';
import type { ExtensionJob } from './jobs/jobs';
import { seedDemoProject, systemDemoLanguage, type DemoLanguage } from '../features/projects/demo';
import { resourcesDir } from './paths';
import { runAs, type Actor } from './actor';
import { CHANNEL_ROLES } from '../../shared/roles';
import { roleAllows } from '../../shared/team';
import { isMember } from '../features/team/assign';

export interface CoreOptions {
  readonly dataDir: string;
  readonly mode: RunMode;
  /** Seed the demo project on a first start (the app does; CLI commands and most tests do not). */
  readonly seedDemo?: boolean;
  /** The demo project's language (default: the system's, from LC_ALL / LC_MESSAGES / LANG). */
  readonly demoLanguage?: DemoLanguage;
  /**
   * Channels and job kinds outside the contract. Only tests pass one (tests/helpers/testJob.ts and the e2e test
   * server, e2e/testServer.ts): the app, `distillery serve` and the CLI answer the contract and nothing else.
   */
  readonly extensions?: readonly CoreExtension[];
}

/** What a test adds to a core: channels (a request schema and a handler) and job kinds (a result schema and a runner). */
export interface CoreExtension {
  readonly channels?: Readonly<
    Record<string, { readonly input: ZodType; handle(input: never, ctx: CoreContext): unknown }>
  >;
  readonly jobs?: Readonly<Record<string, ExtensionJob>>;
}

export interface InvokeOptions {
  readonly onlyUploads?: boolean;
  /**
   * Team mode: the logged-in person. Their role must allow the channel (`CHANNEL_ROLES`), an annotator reaches only
   * the projects they are assigned to, and the handler runs as them (annotations and audit entries name them).
   */
  readonly actor?: Actor;
}

export interface Core {
  readonly ctx: CoreContext;
  readonly db: Db;
  readonly paths: Paths;
  readonly events: EventBus;
  readonly jobs: JobManager;
  /**
   * Validates and runs one request from outside (IPC, HTTP, CLI): never throws. `onlyUploads` (browser mode):
   * fields that name a picked file must name an upload the server received, never another file of this machine.
   */
  invokeRaw(channel: string, request: unknown, opts?: InvokeOptions): Promise<Result<unknown>>;
  /** The same, typed, for in-process callers. */
  invoke<K extends ChannelName>(channel: K, request: Request<K>): Promise<Result<Response<K>>>;
  /** Like invoke, but throws the AppError: for the CLI and tests. */
  call<K extends ChannelName>(channel: K, request: Request<K>): Promise<Response<K>>;
  dispose(): Promise<void>;
}

export async function createCore(opts: CoreOptions): Promise<Core> {
  // Before anything is created: folders 0700, files 0600 (and an existing readable folder closed).
  if (process.platform !== 'win32') process.umask(0o077);
  const paths = makePaths(opts.dataDir);
  restrictDataDir(paths.dataDir);
  const releaseLock = acquireDataDirLock(paths.dataDir, opts.mode);
  let db: Db;
  try {
    db = openDatabase(paths.database);
  } catch (e) {
    releaseLock();
    throw e;
  }
  relocateDataDir(db, paths.dataDir);
  const events = new EventBus();
  for (const area of [paths.runs, paths.models, paths.exports]) removePartialFiles(area);
  makeReserve(paths.dataDir);
  const jobs = new JobManager(db, events, () => {
    releaseReserve(paths.dataDir);
  });
  const disposers: Array<() => Promise<void> | void> = [];
  const ctx: CoreContext = {
    db,
    paths,
    events,
    jobs,
    mode: opts.mode,
    onDispose: (fn) => disposers.push(fn),
  };
  jobs.markInterrupted();
  for (const feature of FEATURES) {
    for (const [kind, runner] of Object.entries(feature.jobs ?? {})) {
      jobs.register(kind as JobKind, runner as JobRunner<JobKind>);
    }
  }
  const extensionChannels = new Map<string, NonNullable<CoreExtension['channels']>[string]>();
  for (const extension of opts.extensions ?? []) {
    for (const [kind, job] of Object.entries(extension.jobs ?? {})) jobs.registerExtension(kind, job);
    for (const [name, ch] of Object.entries(extension.channels ?? {})) {
      if (isChannelName(name)) throw new Error(`${name} is a channel of the contract, not an extension.`);
      extensionChannels.set(name, ch);
    }
  }
  for (const feature of FEATURES) await feature.start?.(ctx);
  if (opts.seedDemo) seedDemoProject(db, resourcesDir(), opts.demoLanguage ?? systemDemoLanguage());

  /** An extension's channel (tests only): its own schema, administrators only in team mode, errors as for the contract's. */
  const invokeExtension = async (
    ch: NonNullable<CoreExtension['channels']>[string],
    request: unknown,
    actor: Actor | undefined,
  ): Promise<Result<unknown>> => {
    if (actor && actor.role !== 'admin') {
      return err('FORBIDDEN', 'Only an administrator may make this request.');
    }
    const parsed = ch.input.safeParse(request ?? {});
    if (!parsed.success) return err('INVALID_INPUT', 'Invalid request', parsed.error.issues);
    try {
      return ok(await (ch.handle as (input: unknown, c: CoreContext) => unknown)(parsed.data, ctx));
    } catch (e) {
      return { ok: false, error: toErrorInfo(e) };
    }
  };

  const invokeRaw = async (
    channel: string,
    request: unknown,
    opts: InvokeOptions = {},
  ): Promise<Result<unknown>> => {
    const extension = extensionChannels.get(channel);
    if (extension) return invokeExtension(extension, request, opts.actor);
    if (!isChannelName(channel)) {
      return { ok: false, error: keyedInfo('UNKNOWN_CHANNEL', 'unknownChannel', { channel }) };
    }
    const { actor } = opts;
    // The role first: a request the caller may not make learns nothing, not even whether its shape was right.
    if (actor && !roleAllows(actor.role, CHANNEL_ROLES[channel])) {
      const needed = CHANNEL_ROLES[channel];
      return {
        ok: false,
        error: keyedInfo(
          'FORBIDDEN',
          'forbiddenRole',
          { role: actor.role, needed },
          { channel, role: actor.role, needed },
        ),
      };
    }
    const parsed = contract[channel].input.safeParse(request ?? {});
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      const where = first?.path.length ? ` (${first.path.join('.')})` : '';
      return err('INVALID_INPUT', `${first?.message ?? 'Invalid request'}${where}`, parsed.error.issues);
    }
    if (actor) {
      const projectId = (parsed.data as { projectId?: unknown }).projectId;
      if (
        actor.role === 'annotator' &&
        typeof projectId === 'number' &&
        !isMember(db, projectId, actor.username)
      ) {
        return { ok: false, error: keyedInfo('FORBIDDEN', 'forbiddenProject', {}, { channel, projectId }) };
      }
    }
    if (opts.onlyUploads) {
      for (const field of pickedFileFields(contract[channel].input)) {
        const value = (parsed.data as Record<string, unknown>)[field];
        if (typeof value === 'string' && !isUpload(paths, value)) {
          return { ok: false, error: keyedInfo('INVALID_INPUT', 'uploadsOnly', {}, { field }) };
        }
      }
    }
    try {
      const handler = HANDLERS[channel] as (input: unknown, c: CoreContext) => unknown;
      const run = (): unknown => handler(parsed.data, ctx);
      return ok(await (actor ? runAs(actor, run) : run()));
    } catch (e) {
      const info = toErrorInfo(e);
      if (info.code === 'INTERNAL') console.error(`[core] ${channel} failed:`, e);
      return { ok: false, error: info };
    }
  };

  let disposed = false;
  return {
    ctx,
    db,
    paths,
    events,
    jobs,
    invokeRaw,
    invoke: (channel, request) => invokeRaw(channel, request) as never,
    call: async (channel, request) => {
      const r = await invokeRaw(channel, request);
      if (!r.ok) {
        // Keeps the catalogue key, so that a front-end on the core can still show the message in its language.
        throw AppError.relayed(r.error);
      }
      return r.value as never;
    },
    dispose: async () => {
      if (disposed) return;
      disposed = true;
      await jobs.dispose();
      for (const fn of disposers.reverse()) {
        try {
          await fn();
        } catch (e) {
          console.error('[core] dispose failed:', e);
        }
      }
      db.close();
      releaseLock();
    },
  };
}
