import fs from 'node:fs/promises';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import type { RemoteShardOptions } from './remote-options.js';
import { openRemoteShard } from './remote-shard.js';
import { isUrl } from './spec.js';

/** True when the shard name says it is gzip-compressed (`.tar.gz`, `.tgz`). */
export function isGzipShard(location: string): boolean {
  return /\.(tar\.gz|tgz)(\?[^#]*)?(#.*)?$/i.test(location);
}

/**
 * Opens one shard as a byte stream: local paths and `file:` URLs through a file handle (never cached), `http(s)://`
 * URLs streamed with retries and an optional local cache (`remote`, see `openRemoteShard`), gunzipped on the fly for
 * `.tar.gz`/`.tgz`. Fails (rejects) when a local shard cannot be opened, with a message naming it; a remote shard's
 * failures (after its retries) arrive as a stream error naming its URL.
 */
export async function openShardStream(location: string, signal?: AbortSignal, remote?: RemoteShardOptions): Promise<Readable> {
  const raw = isUrl(location) ? await openRemoteShard(location, remote, signal) : await openFile(location);
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
