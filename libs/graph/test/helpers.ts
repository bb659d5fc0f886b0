import assert from 'node:assert/strict';
import type { SampleMeta, StageSummary } from '../src/index.js';
import { mulberry32 } from '../../../tools/testing/mulberry32.mjs';

/** A sample with provenance, as data stages pass them along. */
export interface TestSample {
  readonly meta: SampleMeta;
  readonly value: number;
}

/** `n` samples with keys k000.., all in shard `shard`. */
export function samples(n: number, shard = 'train-000000.tar'): TestSample[] {
  return Array.from({ length: n }, (_, index) => ({ meta: { key: `k${String(index).padStart(3, '0')}`, shard, index }, value: index }));
}

/** Seeded PRNG (the repository's one mulberry32) so random delays are reproducible. */
export const seededRandom: (seed: number) => () => number = mulberry32;

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Collects an async iterable into an array. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of iterable) out.push(x);
  return out;
}

/** Asserts the counter invariant every helper stage keeps: seen = emitted + skipped + dropped. */
export function assertBalanced(stage: Pick<StageSummary, 'name' | 'seen' | 'emitted' | 'skipped' | 'dropped'>): void {
  assert.equal(stage.seen, stage.emitted + stage.skipped + stage.dropped, `counters of '${stage.name}' do not balance: ${JSON.stringify(stage)}`);
}

export async function* asyncItems<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) {
    await Promise.resolve();
    yield item;
  }
}
