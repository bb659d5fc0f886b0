import fs from 'node:fs/promises';
import path from 'node:path';
import type { TrainJobConfig } from './job-config.js';

export const TRAIN_CONFIG_FILE = 'train-config.json';
export const TRAIN_CONFIG_HISTORY = 'train-config.history.jsonl';

/**
 * Writes `<runDir>/train-config.json` (the resolved config of this invocation) without losing the previous one: a
 * different earlier config (a resume with other flags) becomes one line `{ "replacedAt", "config" }` of
 * `train-config.history.jsonl` first. The file is replaced atomically (temporary name, rename).
 */
export async function writeTrainConfigFile(runDir: string, config: TrainJobConfig): Promise<void> {
  const file = path.join(runDir, TRAIN_CONFIG_FILE);
  const text = `${JSON.stringify(config, null, 2)}\n`;
  const previous = await fs.readFile(file, 'utf8').catch(() => null);
  if (previous === text) return;
  if (previous !== null) {
    let old: unknown = previous;
    try {
      old = JSON.parse(previous);
    } catch {
      // kept as text
    }
    await fs.appendFile(path.join(runDir, TRAIN_CONFIG_HISTORY), `${JSON.stringify({ replacedAt: new Date().toISOString(), config: old })}\n`);
  }
  const temporary = `${file}.tmp-${process.pid}`;
  await fs.writeFile(temporary, text);
  await fs.rename(temporary, file);
}
