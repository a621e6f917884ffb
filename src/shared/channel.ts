import type { z } from 'zod';

/**
 * One request/response channel: a zod schema for the request and the response's type. A channel declared with its
 * response's schema (`channel(ResponseSchema)(RequestSchema)`) also carries it: the browser-mode client parses every
 * answer with it, so that an answer of another shape fails with a clear error instead of passing as a wrong type.
 */
export interface Channel<I extends z.ZodType, O> {
  readonly input: I;
  /** The response's schema; absent on a channel declared with its type alone (`channel<O>()`). */
  readonly output?: z.ZodType<O>;
}

/**
 * `channel(Schema)(input)`: the response's type is the schema's output. `channel<O>()(input)`: the type alone (not
 * checked at run time; give such a channel its schema when you touch it).
 */
export function channel<O>(output?: z.ZodType<O>): <I extends z.ZodType>(input: I) => Channel<I, O> {
  return (input) => (output ? { input, output } : { input });
}

export type AnyChannel = Channel<z.ZodType, unknown>;
export type ChannelMap = Record<string, AnyChannel>;

export type InputOf<C> = C extends Channel<infer I, unknown> ? z.input<I> : never;
export type ParsedInputOf<C> = C extends Channel<infer I, unknown> ? z.output<I> : never;
export type OutputOf<C> = C extends Channel<z.ZodType, infer O> ? O : never;
