import type { ChannelName, Request, Response } from './contract';
import type { EventMap, EventName } from './events';
import type { Result } from './result';

/** A file the user picked, made available to the core as a path on this machine. */
export interface PickedFile {
  readonly path: string;
  readonly name: string;
  readonly size: number;
}

/** A folder the user chose or dropped: its documents, each with its path inside the folder. */
export interface FolderToProvide {
  /** The folder's own name. */
  readonly name: string;
  /** Its documents ("a.txt", "cases/b.txt": "/"-separated, relative to the folder). */
  readonly files: ReadonlyArray<{ readonly file: File; readonly path: string }>;
  /** The dropped folder itself, when it was dropped (Electron reads the folder's path from it). */
  readonly folder?: File;
}

/**
 * What the renderer sees: the same in Electron (preload) and in browser mode (HTTP + WebSocket).
 */
export interface Api {
  invoke<K extends ChannelName>(channel: K, request: Request<K>): Promise<Result<Response<K>>>;
  on<K extends EventName>(event: K, listener: (payload: EventMap[K]) => void): () => void;
  /** Make a file from an <input type="file"> available to the core (Electron: its path; browser mode: an upload). */
  provideFile(file: File): Promise<Result<PickedFile>>;
  /**
   * Make a folder available to the core as a path (Electron: the folder's path; browser mode: its documents uploaded
   * into one upload, reporting bytes sent as they go).
   */
  provideFolder(
    folder: FolderToProvide,
    onProgress?: (sent: number, total: number) => void,
  ): Promise<Result<PickedFile>>;
  /** Hand a file the core wrote (export, report) to the user: a save dialog or a download. */
  saveFile(path: string, suggestedName: string): Promise<Result<{ saved: boolean }>>;
  readonly mode: 'electron' | 'browser';
}
