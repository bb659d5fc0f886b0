/**
 * Where `decode-mode-agreement` takes its images from: generated large photographs (tools/testing/large-photos.ts),
 * large JPEGs found under a folder (e.g. the unpacked Debian photo packages of tools/photos, reserved evaluation
 * packages refused), or WebDataset shards.
 */
import fs from 'node:fs';
import path from 'node:path';
import { consoleReporter, DEFAULT_IMAGE_MEMBERS, expandShardSpec, readJpegHeader, readShard } from '@vqrae/data';
import { RESERVED_PACKAGES } from '../photos/photo-sources.js';
import { largePhotoJpeg } from './large-photos.js';

/** One encoded image and the name it is reported under. */
export interface NamedImage {
  readonly key: string;
  readonly bytes: Uint8Array;
}

/** `count` generated 2048×1536 JPEG q90 photographs (deterministic). */
export async function syntheticPhotos(count: number): Promise<NamedImage[]> {
  const out: NamedImage[] = [];
  for (let i = 0; i < count; i++) out.push({ key: `large-photo-${i}`, bytes: await largePhotoJpeg(i) });
  return out;
}

function* walk(dir: string): Generator<string> {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else if (entry.isFile() && /\.jpe?g$/i.test(entry.name)) yield full;
  }
}

/**
 * JPEGs under `dir` (sorted by path) with at least `minPixels` pixels, at most `limit` of them; a path with a
 * segment named after a reserved evaluation package (issue 15) is an error, not a silent skip.
 */
export function jpegsUnder(dir: string, minPixels: number, limit: number): NamedImage[] {
  if (!fs.existsSync(dir)) throw new Error(`decode-mode-agreement: --jpeg-dir ${dir} does not exist`);
  const out: NamedImage[] = [];
  for (const file of walk(dir)) {
    const reserved = file.split(path.sep).find((segment) => RESERVED_PACKAGES.includes(segment));
    if (reserved) throw new Error(`decode-mode-agreement: ${file} belongs to ${reserved}, reserved for held-out evaluation`);
    const bytes = fs.readFileSync(file);
    const header = readJpegHeader(bytes);
    if (!header || header.width * header.height < minPixels) continue;
    out.push({ key: path.relative(dir, file), bytes });
    if (out.length >= limit) break;
  }
  return out;
}

/** The first `limit` images of some WebDataset shards. */
export async function shardImages(spec: string, limit: number): Promise<NamedImage[]> {
  const out: NamedImage[] = [];
  for (const shard of await expandShardSpec(spec)) {
    for await (const sample of readShard(shard, { reporter: consoleReporter() })) {
      const member = DEFAULT_IMAGE_MEMBERS.find((m) => sample.files.has(m));
      if (member === undefined) throw new Error(`decode-mode-agreement: sample '${sample.meta.key}' in ${shard} has no image member`);
      out.push({ key: sample.meta.key, bytes: sample.files.get(member)! });
      if (out.length >= limit) return out;
    }
  }
  return out;
}
