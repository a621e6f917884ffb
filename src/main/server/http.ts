import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Result } from '../../shared/result';

const MAX_JSON_BYTES = 10 * 1024 * 1024;

/**
 * One place for the headers every answer carries: no framing (clickjacking), no MIME sniffing, no referrer.
 * The HTML page also gets the whole Content-Security-Policy as a header (`frame-ancestors` only works there).
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
};

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  extra: Readonly<Record<string, string | string[]>> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    ...extra,
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    // An answer sent before the body was read (401, 413) ends the connection rather than read the rest.
    ...(status >= 400 ? { connection: 'close' } : {}),
  });
  res.end(text);
}

export function fail(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { ok: false, error: { code, message } } satisfies Result<never> | object);
}

export class BodyTooLarge extends Error {}

/** The request body as text, refused past `limit` bytes (declared or received) without reading the rest. */
export async function readBody(req: IncomingMessage, limit = MAX_JSON_BYTES): Promise<string> {
  const tooLarge = new BodyTooLarge(
    `The request is larger than ${Math.round(limit / 1024 / 1024)} MB, the most one request may carry.`,
  );
  if (Number(req.headers['content-length'] ?? 0) > limit) throw tooLarge;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw tooLarge;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
