import type { Api, PickedFile } from '../../../shared/api';
import type { EventEnvelope, EventMap, EventName } from '../../../shared/events';
import type { Result } from '../../../shared/result';

const TOKEN_KEY = 'distillery.token';

/** The token arrives once in the URL fragment (never sent to a server log); kept for this tab's reloads. */
function takeToken(): string {
  const match = /token=([^&]+)/.exec(window.location.hash);
  if (match) {
    sessionStorage.setItem(TOKEN_KEY, match[1]);
    history.replaceState(null, '', window.location.pathname + window.location.search);
    return match[1];
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

let token = '';
let csrf = '';
const sessionEndedListeners = new Set<() => void>();
let reconnect: (() => void) | null = null;

/** True when the page was opened with the single-user token (not team mode). */
export function hasToken(): boolean {
  return token.length > 0;
}

/**
 * Team mode: the CSRF token of the logged-in session, sent with every state-changing request (the session itself
 * travels in an HttpOnly cookie the page cannot read). Setting it also reconnects the events at once.
 */
export function setCsrf(value: string): void {
  csrf = value;
  reconnect?.();
}

/** Called when the server answers 401 in team mode (logged out elsewhere, disabled, expired). */
export function onSessionEnded(listener: () => void): () => void {
  sessionEndedListeners.add(listener);
  return () => sessionEndedListeners.delete(listener);
}

function authHeaders(): Record<string, string> {
  if (token) return { authorization: `Bearer ${token}` };
  return csrf ? { 'x-csrf-token': csrf } : {};
}

async function answer<T>(res: Response): Promise<T> {
  if (res.status === 401 && !token) sessionEndedListeners.forEach((l) => l());
  return (await res.json()) as T;
}

function networkError<T>(e: unknown): Result<T> {
  return {
    ok: false,
    error: {
      code: 'INTERNAL',
      message: `Cannot reach the Distillery server (${e instanceof Error ? e.message : String(e)}). Is "distillery serve" still running?`,
    },
  };
}

/** Browser mode: the contract over HTTP, events over one WebSocket that reconnects by itself. */
export function createBrowserApi(): Api {
  token = takeToken();
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  let socket: WebSocket | null = null;
  let retry = 500;

  const connect = (): void => {
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/events`;
    // A browser cannot set headers on a WebSocket: the token travels in the sub-protocol, never in the URL. In team
    // mode the session cookie goes with the upgrade by itself.
    socket = new WebSocket(url, token ? ['distillery', `distillery-token.${token}`] : ['distillery']);
    socket.onopen = () => {
      retry = 500;
    };
    socket.onmessage = (msg) => {
      const env = JSON.parse(String(msg.data)) as EventEnvelope;
      listeners.get(env.name)?.forEach((l) => l(env.payload));
    };
    socket.onclose = () => {
      socket = null;
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 10_000);
    };
  };
  connect();
  reconnect = () => {
    retry = 500;
    socket?.close();
  };

  return {
    mode: 'browser',
    async invoke(channel, request) {
      try {
        const res = await fetch(`/api/invoke/${encodeURIComponent(channel)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...authHeaders() },
          body: JSON.stringify(request ?? {}),
        });
        return await answer<never>(res);
      } catch (e) {
        return networkError(e);
      }
    },
    on<K extends EventName>(event: K, listener: (payload: EventMap[K]) => void) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      const l = listener as (payload: unknown) => void;
      set.add(l);
      return () => {
        set.delete(l);
      };
    },
    async provideFile(file: File): Promise<Result<PickedFile>> {
      try {
        const res = await fetch(`/api/upload?name=${encodeURIComponent(file.name)}`, {
          method: 'POST',
          headers: { ...authHeaders(), 'content-type': 'application/octet-stream' },
          body: file,
        });
        return await answer<Result<PickedFile>>(res);
      } catch (e) {
        return networkError(e);
      }
    },
    async saveFile(path, suggestedName) {
      // The link the browser opens carries a one-time ticket, never the token.
      try {
        const res = await fetch('/api/download-ticket', {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...authHeaders() },
          body: JSON.stringify({ path, name: suggestedName }),
        });
        const ticket = await answer<Result<{ url: string }>>(res);
        if (!ticket.ok) return ticket;
        const a = document.createElement('a');
        a.href = ticket.value.url;
        a.download = suggestedName;
        document.body.appendChild(a);
        a.click();
        a.remove();
        return { ok: true, value: { saved: true } };
      } catch (e) {
        return networkError(e);
      }
    },
  };
}
