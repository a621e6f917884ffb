import type { Job } from './jobs';

export interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly source: string;
  readonly message: string;
  readonly at: string;
}

/**
 * Everything the core pushes to every window and browser client. A feature adds its events here.
 * `job.updated` carries the whole job (state and progress) so that a client never has to merge partial updates.
 */
export interface EventMap {
  'job.updated': Job;
  /** One training epoch finished (live charts). */
  'student.epoch': {
    readonly jobId: number;
    readonly runId: number;
    readonly epoch: number;
    readonly trainLoss: number;
    readonly valLoss: number | null;
    readonly valMetric: number | null;
  };
  log: LogLine;
  /** A project's data changed (import finished, labels edited): views refetch. */
  'project.changed': { readonly projectId: number; readonly what: string };
  /**
   * One document's label was saved or undone on the review screen (by anyone): a screen that fetched it ahead
   * fetches again. Kept apart from project.changed, which makes whole views refetch, as it comes with every key press.
   */
  'review.annotated': { readonly projectId: number; readonly exampleId: number };
}

export type EventName = keyof EventMap;
/** An event; for a union of names, a union discriminated by `name` (checking the name types the payload). */
export type EventEnvelope<K extends EventName = EventName> = {
  [N in K]: { readonly name: N; readonly payload: EventMap[N] };
}[K];
