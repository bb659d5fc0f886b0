import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * Output files written so that nothing half-written ever appears under a final name: bytes go to a temporary file
 * beside the final one (`.<name>.tmp-<pid>-<n>`), are fsynced, then renamed into place. A failed write removes its
 * temporary file and throws an error that names the final file (`cannot write 'out/x.png': ENOSPC: no space left on
 * device`); temporaries left by a killed process are found by their pid and removed by {@link removeStaleTemporaries}.
 */

let temporaryCounter = 0;

/** A fresh temporary name for `finalPath`, in its folder, carrying this process's pid. */
export function temporaryPathFor(finalPath: string): string {
  temporaryCounter += 1;
  return path.join(path.dirname(finalPath), `.${path.basename(finalPath)}.tmp-${process.pid}-${temporaryCounter}`);
}

/** The pid in a temporary name written by this module or the older `<name>.tmp-<pid>` forms, else undefined. */
export function temporaryOwnerPid(name: string): number | undefined {
  const match = /\.tmp-(\d+)(?:-\d+)?$/.exec(name);
  return match ? Number(match[1]) : undefined;
}

/** True while a process with this pid exists (EPERM: it exists but belongs to someone else). */
export function isProcessAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * An error naming `file` and what happened to it (the cause's code, e.g. ENOSPC, kept on `.code` and as `.cause`),
 * with a hint for the usual disk-level causes.
 */
export function fileWriteError(file: string, error: unknown, action = 'write'): Error {
  const cause = error as NodeJS.ErrnoException;
  const why = cause instanceof Error ? cause.message : String(error);
  const hint = cause?.code === 'ENOSPC' ? ' (the disk is full)' : cause?.code === 'EDQUOT' ? ' (disk quota exceeded)' : '';
  const wrapped = new Error(`cannot ${action} '${file}': ${why}${hint}`, { cause: error }) as NodeJS.ErrnoException;
  if (cause?.code) wrapped.code = cause.code;
  return wrapped;
}

/** The subset of a file handle that {@link writeFileAtomic} uses (a seam for tests that inject write failures). */
export interface WritableFile {
  write(data: Uint8Array): Promise<unknown>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** Opens a file for writing; tests pass one whose writes fail to simulate a full disk. */
export type OpenForWrite = (file: string) => Promise<WritableFile>;

/** The real file system. */
export const openForWrite: OpenForWrite = async (file) => {
  const handle = await fs.open(file, 'w');
  return {
    write: (data) => handle.write(data),
    sync: () => handle.sync(),
    close: () => handle.close(),
  };
};

/**
 * Writes every byte of `bytes` (a file handle's write may write fewer bytes than asked: loop until all are written;
 * a write that makes no progress is an error rather than an endless loop).
 */
export async function writeAll(file: WritableFile, bytes: Uint8Array): Promise<void> {
  for (let offset = 0; offset < bytes.length; ) {
    const result = (await file.write(bytes.subarray(offset))) as { bytesWritten?: number } | undefined;
    const written = result?.bytesWritten ?? bytes.length - offset;
    if (!(written > 0)) throw new Error(`write made no progress at byte ${offset} of ${bytes.length}`);
    offset += written;
  }
}

/** Options of {@link writeFileAtomic}. */
export interface AtomicWriteOptions {
  /** fsync before the rename (default true): after a crash the final name holds all bytes or the old file. */
  readonly fsync?: boolean;
  /** How files are opened (default: the real file system). */
  readonly open?: OpenForWrite;
  /**
   * First remove this file's temporaries left by dead processes (default true; one folder listing per write, so
   * writers of many files in one folder pass false and sweep once themselves).
   */
  readonly sweep?: boolean;
}

/** Writes `data` to `finalPath` through a temporary file and a rename; see the module comment. */
export async function writeFileAtomic(finalPath: string, data: Uint8Array | string, options: AtomicWriteOptions = {}): Promise<void> {
  if (options.sweep ?? true) {
    const prefix = `.${path.basename(finalPath)}.tmp-`;
    await removeStaleTemporaries(path.dirname(finalPath), (name) => name.startsWith(prefix));
  }
  const temp = temporaryPathFor(finalPath);
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  try {
    const file = await (options.open ?? openForWrite)(temp);
    try {
      await writeAll(file, bytes);
      if (options.fsync ?? true) await file.sync();
    } finally {
      await file.close();
    }
    await fs.rename(temp, finalPath);
  } catch (error) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw fileWriteError(finalPath, error);
  }
}

/**
 * Removes temporary files in `dir` (not recursive) whose owning process is gone; `matches` narrows which names are
 * considered (default: every `*.tmp-<pid>[-<n>]`). Temporaries of live processes are left alone. Returns the names
 * removed.
 */
export async function removeStaleTemporaries(dir: string, matches: (name: string) => boolean = () => true): Promise<string[]> {
  const removed: string[] = [];
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const pid = temporaryOwnerPid(name);
    if (pid === undefined || !matches(name) || isProcessAlive(pid)) continue;
    await fs.rm(path.join(dir, name), { force: true });
    removed.push(name);
  }
  return removed;
}
