import { useState } from 'react';
import { errorText } from '../../api';

/** A request a card sends on a click: its last result, what went wrong in words, and whether it is under way. */
export interface RequestState<T> {
  readonly busy: boolean;
  readonly result: T | null;
  readonly error: string | null;
  readonly send: (request: () => Promise<T>) => Promise<void>;
}

export function useRequest<T>(): RequestState<T> {
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const send = async (request: () => Promise<T>): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      setResult(await request());
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return { busy, result, error, send };
}
