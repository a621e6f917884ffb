import type { z } from 'zod';
import type { Api, PickedFile } from '../../../shared/api';
import { DownloadTicket, FolderFileReceived, FolderUploadStarted, UploadedFile } from '../../../shared/http';
import type { AppErrorInfo, Result } from '../../../shared/result';
import { EventListeners, readAnswer, readChannelAnswer, readEvent } from '../../../shared/answers';

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

/** The JSON body of a response; a 401 in team mode first tells the page that the session has ended. */
async function body(res: Response): Promise<unknown> {
  if (res.status === 401 && !token) sessionEndedListeners.forEach((l) => l());
  return res.json();
}

async function answer<T>(res: Response, what: string, schema: z.ZodType<T>): Promise<Result<T>> {
  return readAnswer(await body(res), what, schema);
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
  const listeners = new EventListeners();
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
      listeners.dispatch(readEvent(String(msg.data)));
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
        return readChannelAnswer(await body(res), channel);
      } catch (e) {
        return networkError(e);
      }
    },
    on: (event, listener) => listeners.add(event, listener),
    async provideFile(file: File): Promise<Result<PickedFile>> {
      try {
        const res = await fetch(`/api/upload?name=${encodeURIComponent(file.name)}`, {
          method: 'POST',
          headers: { ...authHeaders(), 'content-type': 'application/octet-stream' },
          body: file,
        });
        return await answer(res, 'upload', UploadedFile);
      } catch (e) {
        return networkError(e);
      }
    },
    async provideFolder(folder, onProgress) {
      // One upload for the whole folder: announced first (the server checks the count and the free disk), then
      // each document streamed to its path inside it, a few at a time. A failure ends the upload on the server.
      const total = folder.files.reduce((n, f) => n + f.file.size, 0);
      try {
        const res = await fetch('/api/upload-folder', {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...authHeaders() },
          body: JSON.stringify({ name: folder.name, files: folder.files.length, bytes: total }),
        });
        const begun = await answer(res, 'upload-folder', FolderUploadStarted);
        if (!begun.ok) return begun;
        let sent = 0;
        let next = 0;
        const outcome: { failed: AppErrorInfo | null } = { failed: null };
        const send = async (): Promise<void> => {
          while (outcome.failed === null && next < folder.files.length) {
            const { file, path } = folder.files[next++];
            const put = await fetch(
              `/api/upload-folder/${begun.value.uploadId}?path=${encodeURIComponent(path)}`,
              {
                method: 'POST',
                headers: { ...authHeaders(), 'content-type': 'application/octet-stream' },
                body: file,
              },
            );
            const done = await answer(put, 'upload-folder', FolderFileReceived);
            // The first real reason wins over the "upload has ended" of files sent after it.
            if (!done.ok) {
              // (Read again: another sender may have set it while this one waited.)
              const before = outcome.failed as AppErrorInfo | null;
              if (before === null || before.key === 'folderUploadGone') outcome.failed = done.error;
            }
            sent += file.size;
            onProgress?.(sent, total);
          }
        };
        await Promise.all([send(), send(), send(), send()]);
        if (outcome.failed) return { ok: false, error: outcome.failed };
        return { ok: true, value: { path: begun.value.path, name: begun.value.name, size: total } };
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
        const ticket = await answer(res, 'download-ticket', DownloadTicket);
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
