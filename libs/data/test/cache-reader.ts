/**
 * A separate process reading one shard through a shard cache, for the multi-process cache test:
 * `node --import tsx cache-reader.ts <url> <cache dir>` prints `{ keys, lines }` as JSON.
 */
import { collectingReporter, DatasetSpec, ShardCache } from '../src/index.js';

const [url, dir] = process.argv.slice(2);
if (!url || !dir) throw new Error('usage: cache-reader.ts <url> <cache dir>');
const lines: string[] = [];
const cache = new ShardCache({ dir, maxBytes: 1e9 });
const spec = new DatasetSpec({ shards: url, remote: { cache, retries: 1, retryDelayMs: 10, log: (l) => lines.push(l) } });
const keys: string[] = [];
for await (const sample of spec.open({ reporter: collectingReporter() })) keys.push(sample.meta.key);
process.stdout.write(`${JSON.stringify({ keys, lines })}\n`);
