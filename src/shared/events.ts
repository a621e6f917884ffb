import { z } from 'zod';
import { JobSchema } from './jobs';

export const LogLine = z
  .object({
    level: z.enum(['debug', 'info', 'warn', 'error']),
    source: z.string(),
    message: z.string(),
    at: z.string(),
  })
  .readonly();
export type LogLine = z.output<typeof LogLine>;

/**
 * Everything the core pushes to every window and browser client, one payload schema an event (the browser-mode
 * client parses each event with it). A feature adds its events here.
 */
export const EVENT_SCHEMAS = {
  /** The whole job (state and progress), so that a client never has to merge partial updates. */
  'job.updated': JobSchema,
  /** One training epoch finished (live charts). */
  'student.epoch': z
    .object({
      jobId: z.number(),
      runId: z.number(),
      epoch: z.number(),
      trainLoss: z.number(),
      valLoss: z.number().nullable(),
      valMetric: z.number().nullable(),
    })
    .readonly(),
  log: LogLine,
  /** A project's data changed (import finished, labels edited): views refetch. */
  'project.changed': z.object({ projectId: z.number(), what: z.string() }).readonly(),
  /**
   * One document's label was saved or undone on the review screen (by anyone): a screen that fetched it ahead
   * fetches again. Kept apart from project.changed, which makes whole views refetch, as it comes with every key press.
   */
  'review.annotated': z.object({ projectId: z.number(), exampleId: z.number() }).readonly(),
} as const;

export type EventMap = { [K in keyof typeof EVENT_SCHEMAS]: z.output<(typeof EVENT_SCHEMAS)[K]> };
export type EventName = keyof EventMap;
/** An event; for a union of names, a union discriminated by `name` (checking the name types the payload). */
export type EventEnvelope<K extends EventName = EventName> = {
  [N in K]: { readonly name: N; readonly payload: EventMap[N] };
}[K];
