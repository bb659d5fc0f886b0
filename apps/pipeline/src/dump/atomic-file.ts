import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/** Writes `bytes` to `finalPath` atomically: a temp file in the same folder, fsync, then rename. */
export async function writeFileAtomic(finalPath: string, bytes: Uint8Array | string): Promise<void> {
  const dir = path.dirname(finalPath);
  const temp = path.join(dir, `.${path.basename(finalPath)}.tmp-${process.pid}`);
  const handle = await fs.open(temp, 'w');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(temp, finalPath);
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
