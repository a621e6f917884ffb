import type { ChannelMap, OutputOf, ParsedInputOf } from '../../shared/channel';
import type { JobKind } from '../../shared/jobs';
import type { EventBus } from './events';
import type { JobManager, JobRunner } from './jobs/jobs';
import type { Paths } from './paths';
import type { Db } from './store/db';

export type RunMode = 'electron' | 'browser' | 'cli';

/** What every handler, job runner and CLI command receives: the core's services, no Electron. */
export interface CoreContext {
  readonly db: Db;
  readonly paths: Paths;
  readonly events: EventBus;
  readonly jobs: JobManager;
  readonly mode: RunMode;
  /** Registers a clean-up to run when the core is disposed (child processes, workers, timers). */
  onDispose(fn: () => Promise<void> | void): void;
}

export type HandlerMap<C extends ChannelMap> = {
  readonly [K in keyof C]: (
    input: ParsedInputOf<C[K]>,
    ctx: CoreContext,
  ) => Promise<OutputOf<C[K]>> | OutputOf<C[K]>;
};

/** A capability of the product: its handlers, its job runners, and what it does at start-up. */
export interface Feature<C extends ChannelMap> {
  readonly name: string;
  readonly handlers: HandlerMap<C>;
  readonly jobs?: { readonly [K in JobKind]?: JobRunner<K> };
  start?(ctx: CoreContext): void | Promise<void>;
}
