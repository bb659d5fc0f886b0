import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A mounted tmpfs of a few KB (a real full disk: writes fail with ENOSPC), or why one could not be mounted. */
export type SmallTmpfs = { readonly dir: string; unmount(): void } | { readonly skip: string };

/**
 * Mounts a `sizeKb` tmpfs on a fresh temporary folder (needs root, as in CI containers here). Callers skip their
 * full-disk check with `skip` when mounting is not permitted, and always call `unmount()` when they got a mount.
 */
export function mountSmallTmpfs(sizeKb: number): SmallTmpfs {
  if (process.platform !== 'linux') return { skip: 'tmpfs mounts need Linux' };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vqrae-full-disk-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k`, 'tmpfs', dir], { encoding: 'utf8' });
  if (mounted.status !== 0) {
    fs.rmSync(dir, { recursive: true, force: true });
    return { skip: `cannot mount a tmpfs here (${(mounted.stderr || mounted.error?.message || 'mount failed').trim()})` };
  }
  return {
    dir,
    unmount: () => {
      spawnSync('umount', [dir]);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
