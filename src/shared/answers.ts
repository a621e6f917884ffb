import { z } from 'zod';
import { contract, isChannelName, type ChannelName, type Response } from './contract';
import { ERROR_MESSAGES, fillTemplate } from './errorMessages';
import { EVENT_SCHEMAS, type EventEnvelope, type EventMap, type EventName } from './events';
import { ResultEnvelope, type Result } from './result';

/*
 * Both clients read what reaches the page here, with the contract's schemas, instead of casting it: the browser-mode
 * client (src/renderer/src/api/browser.ts) what crosses HTTP and the WebSocket, the Electron preload
 * (src/preload/ipcApi.ts) what crosses IPC. An answer or event of another shape is refused with a clear error rather
 * than handed on as a wrong type.
 */

/** The answer of the contract's `channel`, read with the channel's response schema (see `readAnswer`). */
export function readChannelAnswer<K extends ChannelName>(body: unknown, channel: K): Result<Response<K>> {
  // A name outside the contract is refused by the core itself; its answer (an error) is read as any other.
  const declared: z.ZodType = isChannelName(channel) ? contract[channel].output : z.unknown();
  // The cast names what the channel's own schema reads (its response type).
  return readAnswer(body, channel, declared as z.ZodType<Response<K>>);
}

/**
 * A server answer (the parsed JSON body), read with the schema of what `what` answers. The envelope is always checked; a body of another shape becomes an error result naming the
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
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    console.error('Distillery: an event that is not JSON');
    return null;
  }
  return readEventData(data);
}

/** A pushed event as it arrived (Electron IPC hands over the object itself), read as `readEvent` reads one. */
export function readEventData(data: unknown): EventEnvelope | null {
  const raw = RawEvent.safeParse(data);
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

/**
 * The page's listeners by event name: each event is read once, then handed to the listeners of its name. Both
 * clients keep theirs in one.
 */
export class EventListeners {
  private readonly byName = new Map<EventName, Set<(payload: unknown) => void>>();

  add<K extends EventName>(event: K, listener: (payload: EventMap[K]) => void): () => void {
    let set = this.byName.get(event);
    if (!set) this.byName.set(event, (set = new Set()));
    const l = listener as (payload: unknown) => void;
    set.add(l);
    return () => {
      set.delete(l);
    };
  }

  /** Hands an event read by `readEvent`/`readEventData` to the listeners of its name (null: dropped). */
  dispatch(env: EventEnvelope | null): void {
    if (env) this.byName.get(env.name)?.forEach((l) => l(env.payload));
  }
}
