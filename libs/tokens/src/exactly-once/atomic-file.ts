import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic as writeShared } from '@vqrae/graph';

/**
 * Writes `bytes` to `finalPath` atomically (a `.<name>.tmp-<pid>-<n>` file in the same folder, fsync, rename); a
 * failure removes the temporary file and names `finalPath` (the shared writer of `@vqrae/graph`). No sweep per write:
 * a dump folder holds many files and the exactly-once job removes its leftovers once per run.
 */
export async function writeFileAtomic(finalPath: string, bytes: Uint8Array | string): Promise<void> {
  await writeShared(finalPath, bytes, { sweep: false });
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Removes leftovers of killed runs (`.<name>.tmp-<pid>` files) in `dir`; returns how many were removed. */
export async function removeStaleTempFiles(dir: string): Promise<number> {
  let removed = 0;
  for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
    if (name.startsWith('.') && name.includes('.tmp-')) {
      await fs.rm(path.join(dir, name), { force: true });
      removed += 1;
    }
  }
  return removed;
}
