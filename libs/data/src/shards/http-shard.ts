import { createHash, type Hash } from 'node:crypto';
import type { ReadableStream, ReadableStreamReadResult } from 'node:stream/web';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_REMOTE, retryDelay, type RemoteShardOptions } from './remote-options.js';

/** What the server said about a shard on its first successful response. */
export interface HttpShardInfo {
  /** `Content-Length` of the whole shard, when the server sent one. */
  readonly contentLength?: number;
  readonly etag?: string;
}

/**
 * The sha256 a URL names in its fragment (`…/train-000042.tar#sha256=<64 hex digits>`), if any. Fragments are never
 * sent to the server; this one lets a shard list pin each shard's content.
 */
export function expectedSha256(url: string): string | undefined {
  const match = /#(?:.*&)?sha256=([0-9a-f]{64})(?:&|$)/i.exec(url);
  return match?.[1]?.toLowerCase();
}

/** An attempt failed in a way another attempt may fix (dropped connection, 5xx, 429, stall). */
class TransientError extends Error {}

/** HTTP statuses worth retrying: timeouts, rate limits and server-side failures. */
function isTransientStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/** `fetch failed (connect ECONNREFUSED 127.0.0.1:9)`: undici hides the useful part in `cause`. */
function describeFetchError(error: unknown): string {
  const message = (error as Error).message;
  const cause = (error as { cause?: { message?: string; code?: string } }).cause;
  const detail = cause?.message ?? cause?.code;
  return detail && detail !== message ? `${message} (${detail})` : message;
}

/**
 * Streams the bytes of one `http(s)://` shard, in order, each byte exactly once, while surviving transient failures:
 * - the body is yielded as it arrives (nothing is downloaded ahead of the consumer beyond the socket's buffers);
 * - a dropped connection, a stalled transfer (no byte for `stallTimeoutMs`), HTTP 408/425/429/5xx or a body shorter
 *   than its `Content-Length` is retried after an exponential backoff, up to `retries` more attempts;
 * - a retry resumes with `Range: bytes=<received>-` (and `If-Range` on the ETag) when the server advertised
 *   `Accept-Ranges: bytes`; otherwise, or when the server answers 200 anyway, the shard is fetched again from its
 *   start and the bytes already yielded are skipped after checking they are the same (sha256 of the prefix): a shard
 *   that changed on the server in between is an error, never a silent splice;
 * - other statuses (404, 403, …) fail at once; after the last attempt the error names the URL, the number of attempts
 *   and the last failure.
 * `onInfo` is called once, with the first response's length and ETag (the cache uses them to verify what it keeps).
 * A URL ending in `#sha256=<hex>` is also checked against that digest once read: a mismatch fails the shard.
 */
export async function* httpShardBytes(
  url: string,
  options: RemoteShardOptions = {},
  signal?: AbortSignal,
  onInfo?: (info: HttpShardInfo) => void,
): AsyncGenerator<Uint8Array> {
  const retries = options.retries ?? DEFAULT_REMOTE.retries;
  const stallMs = options.stallTimeoutMs ?? DEFAULT_REMOTE.stallTimeoutMs;
  const delivered: Hash = createHash('sha256'); // over every byte yielded so far
  let received = 0;
  let info: HttpShardInfo | undefined;
  let acceptsRanges = false;
  for (let attempt = 1; ; attempt++) {
    const controller = new AbortController();
    const onAbort = (): void => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    let stalled = false;
    let timer: NodeJS.Timeout | undefined;
    const armStallTimer = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        stalled = true;
        controller.abort();
      }, stallMs);
    };
    try {
      const resuming = received > 0 && acceptsRanges;
      // Bytes as stored: fetch would undo a `Content-Encoding: gzip` itself, and then lengths and ranges (which count
      // encoded bytes) would no longer match what is read. `.tar.gz` shards are gunzipped later, by name.
      const headers: Record<string, string> = { 'accept-encoding': 'identity' };
      if (resuming) {
        headers.range = `bytes=${received}-`;
        if (info?.etag) headers['if-range'] = info.etag;
      }
      armStallTimer();
      let response: Response;
      try {
        response = await fetch(url, { headers, signal: controller.signal });
      } catch (error) {
        if (signal?.aborted) throw error;
        throw new TransientError(stalled ? `no response within ${stallMs} ms` : describeFetchError(error));
      }
      let skip = 0;
      if (resuming && response.status === 206) {
        const range = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(response.headers.get('content-range') ?? '');
        if (!range || Number(range[1]) !== received) {
          await response.body?.cancel();
          acceptsRanges = false;
          throw new TransientError(`server answered Range bytes=${received}- with Content-Range '${response.headers.get('content-range')}'`);
        }
      } else if (response.status === 200 && response.body !== null) {
        const length = response.headers.get('content-length');
        const etag = response.headers.get('etag') ?? undefined;
        if (info === undefined) {
          info = { ...(length !== null ? { contentLength: Number(length) } : {}), ...(etag !== undefined ? { etag } : {}) };
          acceptsRanges = response.headers.get('accept-ranges')?.toLowerCase() === 'bytes';
          onInfo?.(info);
        } else {
          if (resuming) acceptsRanges = false; // the server ignored (or refused) the range: restart from byte 0
          skip = received;
        }
      } else {
        await response.body?.cancel();
        const why = `HTTP ${response.status} ${response.statusText}`;
        if (isTransientStatus(response.status)) throw new TransientError(why);
        throw new Error(`cannot fetch shard '${url}': ${why}${attempt > 1 ? ` (attempt ${attempt})` : ''}`);
      }
      const prefix = skip > 0 ? { hash: createHash('sha256'), expected: delivered.copy().digest('hex'), total: skip } : undefined;
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      try {
        for (;;) {
          armStallTimer();
          let chunk: ReadableStreamReadResult<Uint8Array>;
          try {
            chunk = await reader.read();
          } catch (error) {
            if (signal?.aborted) throw error;
            throw new TransientError(stalled ? `no data for ${stallMs} ms at byte ${received}` : `${describeFetchError(error)} at byte ${received}`);
          }
          if (chunk.done) break;
          let bytes = chunk.value;
          if (skip > 0 && prefix) {
            const part = bytes.subarray(0, Math.min(skip, bytes.length));
            prefix.hash.update(part);
            skip -= part.length;
            bytes = bytes.subarray(part.length);
            if (skip === 0 && prefix.hash.digest('hex') !== prefix.expected) {
              throw new Error(`cannot fetch shard '${url}': its first ${prefix.total} bytes changed on the server between attempts; not splicing two versions`);
            }
          }
          if (bytes.length === 0) continue;
          clearTimeout(timer);
          delivered.update(bytes);
          received += bytes.length;
          yield bytes;
        }
      } finally {
        reader.releaseLock();
      }
      if (skip > 0) throw new TransientError(`body ended after ${received - skip} bytes, before the ${received} already read`);
      if (info?.contentLength !== undefined && received !== info.contentLength) {
        throw new TransientError(`body ended at byte ${received} of ${info.contentLength}`);
      }
      const expected = expectedSha256(url);
      const actual = expected === undefined ? undefined : delivered.digest('hex');
      if (expected !== undefined && actual !== expected) {
        throw new Error(`shard '${url}': sha256 of the ${received} bytes received is ${actual}, not the ${expected} its URL names`);
      }
      return;
    } catch (error) {
      if (!(error instanceof TransientError)) throw error;
      if (attempt > retries) {
        throw new Error(`cannot fetch shard '${url}': gave up after ${attempt} attempt${attempt === 1 ? '' : 's'}; last: ${error.message}`);
      }
      const wait = retryDelay(attempt, options);
      const how = received === 0 ? 'from the start' : acceptsRanges ? `resuming at byte ${received} with Range` : `restarting (no Range support), skipping ${received} bytes already read`;
      options.log?.(`shard '${url}': attempt ${attempt} of ${retries + 1} failed (${error.message}); retrying in ${wait} ms, ${how}`);
      await sleep(wait, undefined, signal ? { signal } : {});
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      controller.abort();
    }
  }
}
