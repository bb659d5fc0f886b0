import fs from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic, type Sink } from '@vqrae/graph';
import { fanOutTokenWriter } from './formats/registry.js';
import { shardBaseName } from './shard-base-name.js';
import type { TokenFormat, TokenSequence, TokenShardWriter, TokenWriterConfig } from './types.js';

export interface TokenFormatSinkOptions {
  readonly formats: readonly TokenFormat[];
  /** Everything but the base name, which the sink derives from each input shard. */
  readonly config: Omit<TokenWriterConfig, 'baseName'>;
  readonly outDir: string;
  /** Base name of a shard's files (default: the shard's file name without `.tar`/`.tar.gz`, unsafe characters → `_`). */
  readonly baseNameOf?: (shard: string, index: number) => string;
}

/**
 * A graph Sink writing token sequences in every requested format, one unit of files per run of consecutive sequences
 * of one input shard (`<base>.parquet`, `<base>.bin` + `.idx` …). Each file is written with writeFileAtomic (temp +
 * fsync + rename), so a killed run leaves no partial file under a final name; a failed or cancelled run writes
 * nothing of the unit in progress. For exactly-once dumps with a manifest use `vqrae dump-tokens`, which commits the
 * same writers' files per shard through its journal. Result: the files written, in order.
 */
export function tokenFormatSink(options: TokenFormatSinkOptions): Sink<TokenSequence, { files: string[] }> {
  const files: string[] = [];
  const baseNameOf = options.baseNameOf ?? shardBaseName;
  let units = 0;
  let current: { shard: string; writer: TokenShardWriter } | undefined;
  const flush = async (): Promise<void> => {
    if (!current) return;
    const unit = current;
    current = undefined;
    if (files.length === 0) await fs.mkdir(options.outDir, { recursive: true });
    for (const file of await unit.writer.finish()) {
      const target = path.join(options.outDir, file.name);
      await writeFileAtomic(target, file.bytes);
      files.push(target);
    }
  };
  return {
    name: 'token-formats',
    describe: () => `token-formats(${options.formats.join('+')} → ${options.outDir}, one unit per shard)`,
    write: async (sequence) => {
      if (current && current.shard !== sequence.shard) await flush();
      if (!current) {
        current = { shard: sequence.shard, writer: fanOutTokenWriter(options.formats, { ...options.config, baseName: baseNameOf(sequence.shard, units) }) };
        units += 1;
      }
      current.writer.add(sequence);
    },
    finish: async () => {
      await flush();
      return { files };
    },
    abort: () => {
      current = undefined;
    },
  };
}
