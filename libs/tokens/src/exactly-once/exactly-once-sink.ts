import type { Sink } from '@vqrae/graph';
import type { ShardCommitter, ShardOutcome, ShardRef } from './exactly-once.js';

/** How a shard ended, as the graph upstream of the sink saw it: its sample accounting, or why it failed. */
export type ShardResult = ShardOutcome | { readonly failed: string };

export interface ExactlyOnceSinkOptions<Item, Row> {
  /** The opened committer of this rank (see `ShardCommitter.open`); the graph's source reads `committer.pending()`. */
  readonly committer: ShardCommitter<Row>;
  /** The rows of one item (e.g. one per sample of a model batch), in order, each naming its input shard. */
  readonly rowsOf: (item: Item) => readonly Row[];
  readonly shardOf: (row: Row) => string;
  /**
   * Called once per pending shard when the sink commits it (at the first row of a later shard, or at the end): by
   * then every sample of that shard has reached the sink or been skipped upstream (stages keep order).
   */
  readonly resultOf: (shard: ShardRef) => ShardResult;
  /** A failed shard: stop the run (`throw`, default) or record it as failed and go on (`skip`). */
  readonly onShardError?: 'throw' | 'skip';
  /** Called after each row is buffered (progress). */
  readonly onRow?: (row: Row) => void;
  /** Sink name (default `exactly-once`) and the text after it in the graph description. */
  readonly name?: string;
  readonly label?: string;
}

/**
 * A graph Sink that writes a whole dump exactly once per input shard: rows are buffered into parts under temporary
 * names, and each shard is committed (renamed + one journal line) at the shard boundary, so one graph covers a
 * whole dump. Shards that yield no row (all samples skipped) are committed with their skips; a failed shard keeps
 * none of its rows. `finish` commits the last shards; `abort` (failed or cancelled run) drops the open shard, whose
 * samples the next run redoes. The caller opens and closes the committer (lock, manifest) around the run.
 */
export function exactlyOnceSink<Item, Row>(options: ExactlyOnceSinkOptions<Item, Row>): Sink<Item, { shardsCommitted: number }> {
  const { committer } = options;
  const order = committer.pending();
  const index = new Map(order.map((s, i) => [s.url, i]));
  let next = 0; // first pending shard not committed yet
  let committed = 0;
  const name = options.name ?? 'exactly-once';

  /** Commits (or fails) the open shard and every row-less shard before `until` (exclusive). */
  const commitUpTo = async (until: number): Promise<void> => {
    while (next < until) {
      const shard = order[next]!;
      if (committer.open?.url !== shard.url) committer.begin(shard);
      const result = options.resultOf(shard);
      if ('failed' in result) {
        if ((options.onShardError ?? 'throw') === 'throw') {
          await committer.discard();
          throw new Error(`shard ${shard.url}: ${result.failed}`);
        }
        await committer.fail(result.failed, shard);
      } else {
        await committer.commit(result);
        committed += 1;
      }
      next += 1;
    }
  };

  return {
    name,
    describe: () => options.label ?? `${name}(one commit per shard)`,
    async write(item) {
      for (const row of options.rowsOf(item)) {
        const url = options.shardOf(row);
        const at = index.get(url);
        if (at === undefined || at < next) throw new Error(`${name}: row of shard ${url}, which is not pending or already committed (rows out of shard order)`);
        await commitUpTo(at);
        if (committer.open?.url !== url) committer.begin(order[at]!);
        await committer.add(row);
        options.onRow?.(row);
      }
    },
    async finish() {
      await commitUpTo(order.length);
      return { shardsCommitted: committed };
    },
    async abort() {
      await committer.discard();
    },
  };
}
