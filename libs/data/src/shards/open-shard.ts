import fs from 'node:fs/promises';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { closeAfter, closed } from './close-after.js';
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
 * failures (after its retries) arrive as a stream error naming its URL. Destroying the returned stream releases
 * everything behind it, and its 'close' comes after that.
 */
export async function openShardStream(location: string, signal?: AbortSignal, remote?: RemoteShardOptions): Promise<Readable> {
  const raw = isUrl(location) ? await openRemoteShard(location, remote, signal) : await openFile(location);
  if (!isGzipShard(location)) return raw;
  const gunzip = zlib.createGunzip();
  raw.on('error', (error) => gunzip.destroy(error));
  // A reader that stops destroys the gunzip stream; the raw shard behind it (file handle, connection, cache writer)
  // is destroyed with it, and the gunzip stream closes only once the raw one has.
  return closeAfter(raw.pipe(gunzip), () => {
    raw.destroy();
    return closed(raw);
  });
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
