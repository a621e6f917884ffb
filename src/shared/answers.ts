import { z } from 'zod';
import { ERROR_MESSAGES, fillTemplate } from './errorMessages';
import { EVENT_SCHEMAS, type EventEnvelope } from './events';
import { ResultEnvelope, type Result } from './result';

/*
 * The browser-mode client (src/renderer/src/api/browser.ts) reads what crosses HTTP and the WebSocket here, with the
 * contract's schemas, instead of casting it: an answer or event of another shape is refused with a clear error
 * rather than handed on as a wrong type.
 */

/**
 * A server answer (the parsed JSON body), read with the schema of what `what` answers (`z.unknown()` for a channel
 * declared without one). The envelope is always checked; a body of another shape becomes an error result naming the
 * channel and the first field that differs.
 */
export function readAnswer<T>(body: unknown, what: string, schema: z.ZodType<T>): Result<T> {
  const envelope = ResultEnvelope.safeParse(body);
  if (!envelope.success) return badAnswer(what, envelope.error);
  if (!envelope.data.ok) return envelope.data;
  const value = schema.safeParse(envelope.data.value);
  return value.success ? { ok: true, value: value.data } : badAnswer(what, value.error);
}

function badAnswer<T>(what: string, e: z.ZodError): Result<T> {
  const issue = e.issues[0];
  const problem = `${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}`;
  const info = { code: 'INTERNAL', key: 'badAnswer', params: { channel: what, problem } } as const;
  return { ok: false, error: { ...info, message: fillTemplate(ERROR_MESSAGES.en.badAnswer, info.params) } };
}

const RawEvent = z.object({ name: z.string(), payload: z.unknown() });

/** A pushed event (its JSON text) read with its payload's schema; null, with a line in the console, otherwise. */
export function readEvent(text: string): EventEnvelope | null {
  let raw: z.ZodSafeParseResult<z.output<typeof RawEvent>>;
  try {
    raw = RawEvent.safeParse(JSON.parse(text));
  } catch {
    console.error('Distillery: an event that is not JSON');
    return null;
  }
  if (!raw.success || !Object.prototype.hasOwnProperty.call(EVENT_SCHEMAS, raw.data.name)) {
    console.error(
      'Distillery: an event this page does not know',
      raw.success ? raw.data.name : raw.error.message,
    );
    return null;
  }
  const name = raw.data.name as keyof typeof EVENT_SCHEMAS;
  const payload = EVENT_SCHEMAS[name].safeParse(raw.data.payload);
  if (!payload.success) {
    console.error(`Distillery: the event "${name}" is not of the expected shape`, payload.error.message);
    return null;
  }
  return { name, payload: payload.data } as EventEnvelope;
}
