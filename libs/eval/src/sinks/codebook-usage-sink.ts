import type { Sink } from '@vqrae/graph';
import { CodebookUsage } from '../metrics/codebook-usage.js';
import type { CodeRecord } from './reconstruction-record.js';

/**
 * Sink: code-usage counts of every batch's `indices` over the whole pass; its result is the `CodebookUsage`
 * (utilisation, perplexity, dead codes, histogram). Name overridable (default `codebook`).
 */
export function codebookUsageSink(codebookSize: number, options: { readonly name?: string } = {}): Sink<CodeRecord, CodebookUsage> {
  const usage = new CodebookUsage(codebookSize);
  return {
    name: options.name ?? 'codebook',
    describe: () => `codebook-usage(k=${codebookSize})`,
    write: (batch) => usage.add(batch.indices),
    finish: () => usage,
  };
}
