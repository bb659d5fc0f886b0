import fs from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { isUrl } from './spec.js';

/** True when the shard name says it is gzip-compressed (`.tar.gz`, `.tgz`). */
export function isGzipShard(location: string): boolean {
  return /\.(tar\.gz|tgz)(\?.*)?$/i.test(location);
}

/**
 * Opens one shard as a byte stream: local files through a file handle, `http(s)://` URLs streamed with fetch (no
 * temporary files), gunzipped on the fly for `.tar.gz`/`.tgz`. Fails (rejects) when the shard cannot be reached,
 * with a message naming it.
 */
export async function openShardStream(location: string, signal?: AbortSignal): Promise<Readable> {
  const raw = isUrl(location) ? await openUrl(location, signal) : await openFile(location);
  if (!isGzipShard(location)) return raw;
  const gunzip = zlib.createGunzip();
  raw.on('error', (error) => gunzip.destroy(error));
  return raw.pipe(gunzip);
}

async function openFile(location: string): Promise<Readable> {
  const file = location.startsWith('file:') ? fileURLToPath(location) : location;
  try {
    const handle = await fs.open(file, 'r');
    return handle.createReadStream({ highWaterMark: 1 << 20 });
  } catch (error) {
    throw new Error(`cannot open shard '${location}': ${(error as Error).message}`);
  }
}

async function openUrl(location: string, signal?: AbortSignal): Promise<Readable> {
  let response: Response;
  try {
    response = await fetch(location, signal ? { signal } : {});
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause?.message;
    throw new Error(`cannot fetch shard '${location}': ${(error as Error).message}${cause ? ` (${cause})` : ''}`);
  }
  if (!response.ok || response.body === null) {
    await response.body?.cancel();
    throw new Error(`cannot fetch shard '${location}': HTTP ${response.status} ${response.statusText}`);
  }
  return Readable.fromWeb(response.body as unknown as WebReadableStream<Uint8Array>);
}
