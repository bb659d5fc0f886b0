import { ShardSequencer, type SequenceLayer } from '../sequence/index.js';
import type { TokenSequence } from '../types.js';
import { rowSequence } from './token-formats.js';
import type { TokenRow } from './token-table.js';

/**
 * The sequences of one output part: every row (one image view, bare codes) through the sequence layer, in order.
 * Packing restarts with each part, so a packed row never crosses a part (nor, therefore, a shard).
 */
export function sequencesOfRows(layer: SequenceLayer, rows: readonly TokenRow[]): TokenSequence[] {
  const sequencer = new ShardSequencer(layer);
  const out: TokenSequence[] = [];
  for (const row of rows) {
    const bare = rowSequence(row, layer.plan.grid);
    out.push(...sequencer.add({ key: row.key, shard: row.shard, aug: row.aug ?? 'none', codes: row.tokens, side: bare.side }));
  }
  out.push(...sequencer.finish());
  return out;
}
