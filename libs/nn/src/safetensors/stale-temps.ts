import { promises as fsp } from 'node:fs';
import nodePath from 'node:path';

/**
 * Removes `<name>.tmp-<pid>-<n>` files beside `finalPath` whose writing process no longer exists: what a killed run
 * left (a checkpoint-sized file each). Temporaries of live processes (another writer) are kept. @vqrae/nn depends on
 * no other library, so this mirrors `removeStaleTemporaries` of @vqrae/graph for the one name shape it writes.
 */
export async function removeStaleCheckpointTemps(finalPath: string): Promise<number> {
  const dir = nodePath.dirname(finalPath);
  const prefix = `${nodePath.basename(finalPath)}.tmp-`;
  let removed = 0;
  for (const name of await fsp.readdir(dir).catch(() => [] as string[])) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(/^(\d+)(?:-\d+)?$/.exec(name.slice(prefix.length))?.[1]);
    if (!Number.isInteger(pid) || pid <= 0 || isAlive(pid)) continue;
    await fsp.rm(nodePath.join(dir, name), { force: true });
    removed += 1;
  }
  return removed;
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
