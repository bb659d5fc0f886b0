import fs from 'node:fs/promises';
import { isArrowTokenFile, readTokenRows } from './token-source.js';
import { OutputNames, readArrowTable, type OutputNaming } from '@vqrae/data';
import { vocabPlanBeside } from './sequence-codes.js';

/**
 * Reads only the `key` and `shard` columns of every token file and throws (as {@link OutputNames} does) if two rows
 * would get one output name, so a decode with repeated keys is refused before any image is written.
 */
export async function refuseRepeatedKeys(files: readonly string[], naming: OutputNaming): Promise<void> {
  const names = new OutputNames(naming);
  for (const file of files) {
    if (!(await isArrowTokenFile(file)) || (await vocabPlanBeside(file))) {
      for (const row of (await readTokenRows(file)).rows) names.take(row.key, row.shard);
      continue;
    }
    const table = readArrowTable(await fs.readFile(file), file);
    const keys = table.getChild('key');
    const shards = table.getChild('shard');
    if (!keys) continue; // decodeTokenTable names the missing column when the file is decoded
    for (let i = 0; i < table.numRows; i++) {
      const key = keys.get(i) as unknown;
      const shard = shards?.get(i) as unknown;
      if (typeof key !== 'string') continue; // likewise: refused with file and row by decodeTokenTable
      names.take(key, typeof shard === 'string' ? shard : undefined);
    }
  }
}
