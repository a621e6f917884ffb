import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { Api } from '../../../shared/api';
import type { ChannelName, Request, Response } from '../../../shared/contract';
import type { EventMap, EventName } from '../../../shared/events';
import type { AppErrorInfo } from '../../../shared/result';
import { createBrowserApi } from './browser';
import { withLocalisedErrors } from './localise';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in browser mode. */
    api?: Api;
  }
}

/** The one API of the renderer: Electron's preload object, or the same contract over HTTP in browser mode. */
export const api: Api = withLocalisedErrors(window.api ?? createBrowserApi());

/** An error from the core, thrown by `call` so that UI code can use try/catch. */
export class ApiError extends Error {
  readonly info: AppErrorInfo;
  constructor(info: AppErrorInfo) {
    super(info.message);
    this.info = info;
  }
}

/** The message of an error from the core (already written for a person, in the UI's language), or of anything else. */
export function errorText(e: unknown): string {
  return e instanceof ApiError ? e.info.message : e instanceof Error ? e.message : String(e);
}

export async function call<K extends ChannelName>(channel: K, request: Request<K>): Promise<Response<K>> {
  const r = await api.invoke(channel, request);
  if (!r.ok) throw new ApiError(r.error);
  return r.value;
}

/**
 * `value` kept by its content: the same object until its JSON changes, so that an effect that depends on it runs
 * again for a new value, not for a new object with the same content (React's "state from the previous render").
 */
export function useByValue<T>(value: T): T {
  const [kept, setKept] = useState(value);
  if (JSON.stringify(kept) === JSON.stringify(value)) return kept;
  setKept(value);
  return value;
}

export interface QueryState<T> {
  readonly data: T | undefined;
  readonly error: AppErrorInfo | null;
  readonly loading: boolean;
  readonly reload: () => void;
}

/** Fetches `channel` with `request`; refetches when `request` (by value) changes or `reload()` is called. */
export function useQuery<K extends ChannelName>(
  channel: K,
  request: Request<K> | null,
): QueryState<Response<K>> {
  const [data, setData] = useState<Response<K>>();
  const [error, setError] = useState<AppErrorInfo | null>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  // The request by value: a new object with the same content does not refetch.
  const current = useByValue(request);
  const seq = useRef(0);
  useEffect(() => {
    if (current === null) return;
    const mine = ++seq.current;
    setLoading(true);
    void api.invoke(channel, current).then((r) => {
      if (mine !== seq.current) return;
      if (r.ok) {
        setData(r.value);
        setError(null);
      } else setError(r.error);
      setLoading(false);
    });
  }, [channel, current, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload };
}

/** Subscribes to a pushed event for the component's lifetime. */
export function useEvent<K extends EventName>(event: K, listener: (payload: EventMap[K]) => void): void {
  const ref = useRef(listener);
  useLayoutEffect(() => {
    ref.current = listener;
  });
  useEffect(() => api.on(event, (p) => ref.current(p)), [event]);
}

export interface Action<A extends unknown[]> {
  /** Starts the action, unless it is already pending: then the call is ignored. */
  readonly run: (...args: A) => void;
  /** True from the call until its promise settles: disable (or show loading on) the button. */
  readonly pending: boolean;
}

/**
 * An action that starts work, safe to click twice: while it is pending, another call does nothing. The guard is a
 * ref, so that two clicks before React re-renders still start it once; `pending` disables its button meanwhile.
 * (The core also returns the running job for an identical start: this keeps the second request from being sent.)
 */
export function useAction<A extends unknown[]>(action: (...args: A) => Promise<unknown>): Action<A> {
  const [pending, setPending] = useState(false);
  const busy = useRef(false);
  const latest = useRef(action);
  useLayoutEffect(() => {
    latest.current = action;
  });
  const run = useCallback((...args: A): void => {
    if (busy.current) return;
    busy.current = true;
    setPending(true);
    void latest.current(...args).finally(() => {
      busy.current = false;
      setPending(false);
    });
  }, []);
  return { run, pending };
}
