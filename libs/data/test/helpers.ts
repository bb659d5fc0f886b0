import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { newCounters, type Logger, type SampleMeta, type StageContext } from '@vqrae/graph';

export const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

/** A fresh temporary folder, removed by the returned cleanup. */
export function tempDir(prefix = 'vqrae-data-'): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** A minimal StageContext that records skips and log lines. */
export function testContext(): StageContext & { skips: { meta?: SampleMeta; reason: string }[]; lines: string[] } {
  const lines: string[] = [];
  const skips: { meta?: SampleMeta; reason: string }[] = [];
  const log: Logger = { info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) };
  const counters = newCounters();
  return {
    signal: new AbortController().signal,
    log,
    counters,
    skips,
    lines,
    skip(item, reason) {
      counters.skipped += 1;
      const meta = (item as { meta?: SampleMeta } | undefined)?.meta;
      skips.push(meta ? { meta, reason } : { reason });
    },
  };
}

/** Collects an async iterable into an array. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** An async iterable over the given items. */
export async function* fromArray<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

/** Mean and max absolute difference between two equally long byte arrays. */
export function byteDiff(a: Uint8Array, b: Uint8Array): { mean: number; max: number } {
  if (a.length !== b.length) throw new Error(`byteDiff: lengths ${a.length} and ${b.length}`);
  let sum = 0;
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs((a[i] as number) - (b[i] as number));
    sum += d;
    if (d > max) max = d;
  }
  return { mean: sum / a.length, max };
}

/** A raw tar member for hand-built test shards. */
export interface TestMember {
  readonly name: string;
  readonly data?: Uint8Array | string;
  readonly type?: 'file' | 'directory' | 'symlink';
}

/** Builds a tar archive in memory from members (any names, including ones a writer would refuse). */
export async function buildTar(members: readonly TestMember[]): Promise<Buffer> {
  const tar = (await import('tar-stream')).default;
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const chunk of pack) chunks.push(chunk as Buffer);
  })();
  for (const m of members) {
    const type = m.type ?? 'file';
    const data = typeof m.data === 'string' ? Buffer.from(m.data) : Buffer.from(m.data ?? new Uint8Array());
    await new Promise<void>((resolve, reject) => {
      const header = { name: m.name, type, mode: 0o644, mtime: new Date(0), ...(type === 'symlink' ? { linkname: 'x' } : {}) };
      if (type === 'file') pack.entry({ ...header, size: data.length }, data, (e) => (e ? reject(e) : resolve()));
      else pack.entry(header, (e) => (e ? reject(e) : resolve()));
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** Sample summary for assertions: `key:ext1,ext2`. */
export function describeSample(sample: { meta: SampleMeta; files: ReadonlyMap<string, Uint8Array> }): string {
  return `${sample.meta.key}:${[...sample.files.keys()].join(',')}`;
}
