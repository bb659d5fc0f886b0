/**
 * Image sets as streams of encoded images (a folder of image files, or the image member of WebDataset shards), and a
 * join of two such streams by key: the inputs of image-pair metrics (`vqrae metrics`) and statistics (`fid-stats`).
 */
import fs from 'node:fs';
import type { SampleMeta } from '@vqrae/graph';
import { consoleReporter } from '../sample.js';
import { DEFAULT_IMAGE_MEMBERS } from '../image/stages.js';
import { listImageFiles } from '../shards/pack-images.js';
import { readShard } from '../shards/read-shard.js';
import type { RemoteShardOptions } from '../shards/remote-options.js';
import { expandShardSpec } from '../shards/spec.js';

/** One encoded image of an image set, with the metadata that names it. */
export interface EncodedImage {
  readonly meta: SampleMeta;
  readonly bytes: Uint8Array;
}

/**
 * The images of `<shards|folder>`: a directory is walked for image files (key = relative path without extension);
 * anything else is a shard spec (`val-{000..009}.tar`, `@list.txt`) whose samples give member `field` (default: the
 * first image member present); `remote`: retries and cache of http(s) shards.
 */
export async function* imageSet(spec: string, field: string | undefined, signal?: AbortSignal, remote?: RemoteShardOptions): AsyncGenerator<EncodedImage> {
  if (fs.existsSync(spec) && fs.statSync(spec).isDirectory()) {
    const files = await listImageFiles(spec);
    if (files.length === 0) throw new Error(`no image files under '${spec}'`);
    for (const [index, file] of files.entries()) {
      if (signal?.aborted) return;
      yield { meta: { key: file.key, shard: spec, index }, bytes: fs.readFileSync(file.path) };
    }
    return;
  }
  const members = field !== undefined ? [field.toLowerCase()] : DEFAULT_IMAGE_MEMBERS;
  for (const shard of await expandShardSpec(spec)) {
    for await (const sample of readShard(shard, { reporter: consoleReporter(), ...(signal ? { signal } : {}), ...(remote ? { remote } : {}) })) {
      const member = members.find((m) => sample.files.has(m));
      if (member === undefined) {
        throw new Error(`sample '${sample.meta.key}' in ${shard} has no ${field ? `'${field}'` : 'image'} member (has ${[...sample.files.keys()].join(', ')})`);
      }
      yield { meta: sample.meta, bytes: sample.files.get(member)! };
    }
  }
}

/** A reference and a candidate image with the same key. */
export interface MatchedPair {
  readonly meta: SampleMeta; // the candidate's key/shard/index
  readonly reference: Uint8Array;
  readonly candidate: Uint8Array;
}

/** Keys left without a partner after `matchByKey` finished. */
export interface MatchReport {
  unmatchedReference: string[];
  unmatchedCandidate: string[];
}

/**
 * Joins two image streams by key, pulling both in lockstep and holding unmatched encoded images until their partner
 * arrives: memory stays small when both sets come in the same order (the usual case) and grows with disorder.
 */
export async function* matchByKey(
  reference: AsyncIterator<EncodedImage>,
  candidate: AsyncIterator<EncodedImage>,
  report: MatchReport,
): AsyncGenerator<MatchedPair> {
  const waitingRef = new Map<string, EncodedImage>();
  const waitingCand = new Map<string, EncodedImage>();
  let refDone = false;
  let candDone = false;
  while (!refDone || !candDone) {
    const [r, c] = await Promise.all([refDone ? undefined : reference.next(), candDone ? undefined : candidate.next()]);
    if (r?.done) refDone = true;
    if (c?.done) candDone = true;
    if (r && !r.done) {
      const partner = waitingCand.get(r.value.meta.key);
      if (partner) {
        waitingCand.delete(r.value.meta.key);
        yield { meta: partner.meta, reference: r.value.bytes, candidate: partner.bytes };
      } else if (waitingRef.has(r.value.meta.key)) throw new Error(`reference key '${r.value.meta.key}' appears twice (${r.value.meta.shard})`);
      else waitingRef.set(r.value.meta.key, r.value);
    }
    if (c && !c.done) {
      const partner = waitingRef.get(c.value.meta.key);
      if (partner) {
        waitingRef.delete(c.value.meta.key);
        yield { meta: c.value.meta, reference: partner.bytes, candidate: c.value.bytes };
      } else if (waitingCand.has(c.value.meta.key)) throw new Error(`candidate key '${c.value.meta.key}' appears twice (${c.value.meta.shard})`);
      else waitingCand.set(c.value.meta.key, c.value);
    }
  }
  report.unmatchedReference.push(...waitingRef.keys());
  report.unmatchedCandidate.push(...waitingCand.keys());
}
