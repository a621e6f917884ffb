import type { ChannelName, Request, Response } from './contract';
import type { EventMap, EventName } from './events';
import type { Result } from './result';

/** A file the user picked, made available to the core as a path on this machine. */
export interface PickedFile {
  readonly path: string;
  readonly name: string;
  readonly size: number;
}

/**
 * What the renderer sees: the same in Electron (preload) and in browser mode (HTTP + WebSocket).
 */
export interface Api {
  invoke<K extends ChannelName>(channel: K, request: Request<K>): Promise<Result<Response<K>>>;
  on<K extends EventName>(event: K, listener: (payload: EventMap[K]) => void): () => void;
  /** Make a file from an <input type="file"> available to the core (Electron: its path; browser mode: an upload). */
  provideFile(file: File): Promise<Result<PickedFile>>;
  /** Hand a file the core wrote (export, report) to the user: a save dialog or a download. */
  saveFile(path: string, suggestedName: string): Promise<Result<{ saved: boolean }>>;
  readonly mode: 'electron' | 'browser';
}
