import { z } from 'zod';
import type { PickedFile } from './api';
import { AppErrorInfoSchema, type Result } from './result';

/**
 * Browser mode's routes besides `POST /api/invoke/<channel>` (whose requests and answers are the contract's): what
 * each body holds and what each answers, one schema each. The server parses every JSON body with them
 * (server/server.ts, server/folderUpload.ts) and types its answers by them; a page can check an answer with
 * `httpAnswer(schema)`.
 */

const Size = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** `POST /api/upload?name=<name>` (the file as the body) answers the file as the core will name it. */
export const UploadedFile = z.object({ path: z.string(), name: z.string(), size: Size });
export type UploadedFile = z.output<typeof UploadedFile>;

/** `POST /api/upload-folder`: the folder a page is about to send (its name, documents and bytes). */
export const FolderUploadStart = z.object({ name: z.string(), files: Size, bytes: Size });
export type FolderUploadStart = z.output<typeof FolderUploadStart>;
/** ... answered by the upload's id and the folder's path and name as the core will read them. */
export const FolderUploadStarted = z.object({ uploadId: z.string(), path: z.string(), name: z.string() });
export type FolderUploadStarted = z.output<typeof FolderUploadStarted>;
/** `POST /api/upload-folder/<id>?path=<path inside>` (a document as the body): how many of how many arrived. */
export const FolderFileReceived = z.object({ received: Size, of: Size });
export type FolderFileReceived = z.output<typeof FolderFileReceived>;

/** `POST /api/download-ticket`: a file of the data folder and the name to save it as. */
export const DownloadTicketRequest = z.object({ path: z.string(), name: z.string().optional() });
export type DownloadTicketRequest = z.output<typeof DownloadTicketRequest>;
/** ... answered by a one-time link to it. */
export const DownloadTicket = z.object({ url: z.string() });
export type DownloadTicket = z.output<typeof DownloadTicket>;

/** The answer of a route whose value is `value`: `{ok: true, value}` or `{ok: false, error}`. */
export function httpAnswer<S extends z.ZodType>(value: S): z.ZodType<Result<z.output<S>>> {
  // The cast only names the schema's output: TypeScript cannot resolve zod's mapped output type for a generic S.
  return z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), value }).readonly(),
    z.object({ ok: z.literal(false), error: AppErrorInfoSchema }).readonly(),
  ]) as unknown as z.ZodType<Result<z.output<S>>>;
}

// An upload's answer is the `PickedFile` the page hands on: one shape.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const sameFile: Same<Readonly<UploadedFile>, PickedFile> = true;
void sameFile;
