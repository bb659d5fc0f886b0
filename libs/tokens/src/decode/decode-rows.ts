/**
 * The app's side of decoding token rows: checking that a batch of rows belongs to the checkpoint, handing it to the
 * library `decodeTokensStage` as a `TokenBatchRecord`, and turning the decoded uint8 images into output images with
 * their pass-through members. Host arrays only: nothing to dispose.
 */
import { mapStage, type Stage } from '@vqrae/graph';
import type { DecodedOutputs, TokenBatchRecord } from '@vqrae/tokenizer';
import type { TokenRow } from '../dump/token-table.js';
import type { OutputImage } from '@vqrae/data';

/** A token row as `tokenRowSource` yields it. */
export type SourceTokenRow = TokenRow & { readonly metadata: Map<string, string> };

/** A batch of rows on its way through the decoder. */
export interface TokenRowBatch extends TokenBatchRecord {
  readonly rows: readonly SourceTokenRow[];
}

/** What `tokenRowBatchStage` checks rows against. */
export interface TokenRowChecks {
  readonly checkpointSha: string;
  readonly allowOtherCheckpoint: boolean;
  /** Named in errors (the file given to --checkpoint). */
  readonly checkpointFile?: string;
  readonly preset?: string;
  readonly tokensPerImage?: number;
  readonly codebookSize?: number;
}

/**
 * Stage `rows`: checks every row was made by this checkpoint (unless allowed), has the model's token count and codes
 * inside its codebook (errors name the row, its shard and the checkpoint file), and packs the batch as a record.
 */
export function tokenRowBatchStage(checks: TokenRowChecks): Stage<SourceTokenRow[], TokenRowBatch> {
  const { checkpointSha, allowOtherCheckpoint } = checks;
  const checkpoint = `checkpoint '${checks.checkpointFile ?? 'given'}' (preset ${checks.preset ?? 'custom'})`;
  return mapStage<SourceTokenRow[], TokenRowBatch>(
    'rows',
    (rows) => {
      for (const row of rows) {
        const madeBy = row.metadata.get('vqrae.checkpoint_sha256');
        if (madeBy && madeBy !== checkpointSha && !allowOtherCheckpoint) {
          throw new Error(`tokens of '${row.key}' were made by checkpoint ${madeBy.slice(0, 12)}…, not ${checkpointSha.slice(0, 12)}… (--allow-other-checkpoint to force)`);
        }
        if (checks.tokensPerImage !== undefined && row.tokens.length !== checks.tokensPerImage) {
          throw new Error(`row '${row.key}' (shard ${row.shard}) has ${row.tokens.length} tokens; ${checkpoint} expects ${checks.tokensPerImage}: were the tokens made with another checkpoint?`);
        }
        if (checks.codebookSize !== undefined) {
          for (const t of row.tokens) {
            if (t < 0 || t >= checks.codebookSize) throw new Error(`row '${row.key}' (shard ${row.shard}) has token ${t} outside [0, ${checks.codebookSize}) of ${checkpoint}`);
          }
        }
      }
      return { rows, keys: rows.map((r) => r.key), tokens: rows.map((r) => r.tokens) };
    },
    { describe: allowOtherCheckpoint ? 'rows(any checkpoint)' : 'rows(same checkpoint)' },
  );
}

const encoder = new TextEncoder();

/** Stage `images`: decoded rows → output images with their label/caption/json as `cls`/`txt`/`json` members. */
export function decodedImagesStage(): Stage<TokenRowBatch & DecodedOutputs, OutputImage[]> {
  return mapStage<TokenRowBatch & DecodedOutputs, OutputImage[]>(
    'images',
    (batch) =>
      batch.rows.map((row, i) => {
        const extras = new Map<string, Uint8Array>();
        if (row.label !== undefined) extras.set('cls', encoder.encode(String(row.label)));
        if (row.caption !== undefined) extras.set('txt', encoder.encode(row.caption));
        if (row.json !== undefined) extras.set('json', encoder.encode(row.json));
        return { key: row.key, shard: row.shard, width: batch.outputSize, height: batch.outputSize, rgb: batch.decoded[i]!, extras };
      }),
    { describe: 'images' },
  );
}
