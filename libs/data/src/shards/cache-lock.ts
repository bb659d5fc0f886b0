import fs from 'node:fs/promises';
import os from 'node:os';
import { isProcessAlive } from '@vqrae/graph';

/** Who writes a cache entry: a lock of a dead process on this host, or one not refreshed for long, is stale. */
interface LockOwner {
  readonly pid: number;
  readonly hostname: string;
}

/** A lock from another host whose file was not touched for this long is taken to be left by a dead writer (ms). */
export const FOREIGN_LOCK_STALE_MS = 10 * 60_000;

/** A held entry lock: `refresh()` keeps it fresh for other hosts, `release()` removes it. */
export interface EntryLock {
  refresh(): Promise<void>;
  release(): Promise<void>;
}

/**
 * Takes the lock file `file` (created exclusively), or returns undefined when another live writer holds it. A lock
 * left by a dead process is removed and taken once. Only the holder writes the entry, so two processes fetching the
 * same shard never both write it; the loser streams the shard without caching it.
 */
export async function tryLock(file: string): Promise<EntryLock | undefined> {
  for (let round = 0; round < 2; round++) {
    try {
      const handle = await fs.open(file, 'wx');
      try {
        await handle.writeFile(JSON.stringify({ pid: process.pid, hostname: os.hostname() } satisfies LockOwner));
      } finally {
        await handle.close();
      }
      return {
        refresh: async () => {
          const now = new Date();
          await fs.utimes(file, now, now).catch(() => undefined);
        },
        release: () => fs.rm(file, { force: true }),
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (!(await isStale(file))) return undefined;
      await fs.rm(file, { force: true });
    }
  }
  return undefined;
}

async function isStale(file: string): Promise<boolean> {
  try {
    const [text, stat] = await Promise.all([fs.readFile(file, 'utf8'), fs.stat(file)]);
    const owner = JSON.parse(text) as Partial<LockOwner>;
    if (owner.hostname === os.hostname() && typeof owner.pid === 'number') return !isProcessAlive(owner.pid);
    return Date.now() - stat.mtimeMs > FOREIGN_LOCK_STALE_MS;
  } catch {
    // Unreadable or half-written (its writer may be between open and write): stale only once it is old.
    const stat = await fs.stat(file).catch(() => undefined);
    return stat !== undefined && Date.now() - stat.mtimeMs > FOREIGN_LOCK_STALE_MS;
  }
}
