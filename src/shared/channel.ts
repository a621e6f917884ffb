import type { z } from 'zod';

/**
 * One request/response channel: a zod schema for the request and one for the response. The core parses every request
 * with the first; both clients (browser mode over HTTP, the Electron preload over IPC) parse every answer with the
 * second, so that an answer of another shape fails with a clear error instead of passing as a wrong type.
 */
export interface Channel<I extends z.ZodType, O> {
  readonly input: I;
  readonly output: z.ZodType<O>;
}

/** `channel(ResponseSchema)(RequestSchema)`: the response's type is the schema's output. */
export function channel<O>(output: z.ZodType<O>): <I extends z.ZodType>(input: I) => Channel<I, O> {
  return (input) => ({ input, output });
}

export type AnyChannel = Channel<z.ZodType, unknown>;
export type ChannelMap = Record<string, AnyChannel>;

export type InputOf<C> = C extends Channel<infer I, unknown> ? z.input<I> : never;
export type ParsedInputOf<C> = C extends Channel<infer I, unknown> ? z.output<I> : never;
export type OutputOf<C> = C extends Channel<z.ZodType, infer O> ? O : never;
