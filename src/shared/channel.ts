import type { z } from 'zod';

/** One request/response channel: a zod schema for the request, a phantom type for the response. */
export interface Channel<I extends z.ZodType, O> {
  readonly input: I;
  /** Never read at run time: carries the response type. */
  readonly output?: O;
}

export function channel<O>(): <I extends z.ZodType>(input: I) => Channel<I, O> {
  return (input) => ({ input });
}

export type AnyChannel = Channel<z.ZodType, unknown>;
export type ChannelMap = Record<string, AnyChannel>;

export type InputOf<C> = C extends Channel<infer I, unknown> ? z.input<I> : never;
export type ParsedInputOf<C> = C extends Channel<infer I, unknown> ? z.output<I> : never;
export type OutputOf<C> = C extends Channel<z.ZodType, infer O> ? O : never;
