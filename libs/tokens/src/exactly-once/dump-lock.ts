import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DumpRefusedError } from './errors.js';

/** Who holds a lock: enough to tell a live holder from a dead one (or from a reused pid). */
export interface LockOwner {
  readonly pid: number;
  readonly hostname: string;
  /** Linux: the process's start time in clock ticks since boot (/proc/<pid>/stat field 22); tells a reused pid apart. */
  readonly processStart: string | null;
  readonly startedAt: string;
  readonly purpose: string;
}

export interface LockOptions {
  /** What the lock protects, for messages (e.g. `dump-tokens rank 0/1 in tok/`). */
  readonly purpose: string;
  /** How often the holder refreshes the lock's mtime (ms). */
  readonly heartbeatMs?: number;
  /** A lock held from another host whose mtime is older than this is stale (ms): its pid cannot be checked. */
  readonly foreignStaleMs?: number;
}

/** A held lock; `release()` removes it (only if it is still ours). */
export interface HeldLock {
  readonly file: string;
  release(): void;
}

const DEFAULT_HEARTBEAT_MS = 15_000;
// Long enough that a holder whose event loop is busy (one large forward pass on CPU) is not taken for dead.
const DEFAULT_FOREIGN_STALE_MS = 10 * 60_000;

/** The start time of process `pid` as /proc reports it, or null where /proc is unavailable or the pid is gone. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (comm) may contain spaces and parentheses: count fields after the last ')'. Field 22 is starttime.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function currentOwner(purpose: string): LockOwner {
  return {
    pid: process.pid,
    hostname: os.hostname(),
    processStart: processStartTime(process.pid),
    startedAt: new Date().toISOString(),
    purpose,
  };
}

/** Whether the lock's holder still runs: same host → pid and start time; other host → heartbeat age. */
export function ownerIsAlive(owner: LockOwner, lockMtimeMs: number, foreignStaleMs = DEFAULT_FOREIGN_STALE_MS): boolean {
  if (owner.hostname !== os.hostname()) return Date.now() - lockMtimeMs < foreignStaleMs;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  if (owner.processStart === null) return true;
  const now = processStartTime(owner.pid);
  return now === null || now === owner.processStart;
}

/** Reads a lock file; undefined when it vanished or is unreadable (a holder killed between create and write). */
export function readLock(file: string): { owner: LockOwner | undefined; mtimeMs: number; text: string } | undefined {
  try {
    const mtimeMs = fs.statSync(file).mtimeMs;
    const text = fs.readFileSync(file, 'utf8');
    try {
      return { owner: JSON.parse(text) as LockOwner, mtimeMs, text };
    } catch {
      return { owner: undefined, mtimeMs, text };
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function describeOwner(owner: LockOwner): string {
  return `pid ${owner.pid} on ${owner.hostname}, started ${owner.startedAt}`;
}

/**
 * Takes `file` as an exclusive lock (O_EXCL create). A lock held by a live process is refused with a DumpRefusedError
 * naming the holder; a stale one (its process is gone, its pid was reused, or — from another host — its heartbeat
 * stopped) is broken, so a job killed with SIGKILL never blocks its own resume. The holder refreshes the lock's
 * mtime every `heartbeatMs` until `release()`.
 */
export function acquireLock(file: string, options: LockOptions): HeldLock {
  const me = currentOwner(options.purpose);
  const text = `${JSON.stringify(me)}\n`;
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx');
      try {
        fs.writeSync(fd, text);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 5) throw error;
    }
    const held = readLock(file);
    if (!held) continue; // released meanwhile
    // An unparsable lock is younger than a heartbeat only while its holder is still writing it.
    const alive = held.owner ? ownerIsAlive(held.owner, held.mtimeMs, options.foreignStaleMs) : Date.now() - held.mtimeMs < 5_000;
    if (alive) {
      throw new DumpRefusedError(
        `${options.purpose}: refused, another live process holds the lock ${file}` +
          `${held.owner ? ` (${describeOwner(held.owner)})` : ''}; wait for it to finish, or write to another --out`,
      );
    }
    breakStaleLock(file, held.text);
  }
  const heartbeat = setInterval(() => {
    const now = new Date();
    try {
      fs.utimesSync(file, now, now);
    } catch {
      // the next acquirer decides; nothing to do here
    }
  }, options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS);
  heartbeat.unref();
  return {
    file,
    release: () => {
      clearInterval(heartbeat);
      const held = readLock(file);
      if (held?.owner?.pid === me.pid && held.owner.hostname === me.hostname && held.owner.startedAt === me.startedAt) fs.rmSync(file, { force: true });
    },
  };
}

/**
 * Removes a stale lock without removing a fresh one that another process created meanwhile: the lock is first
 * renamed to a private name (atomic, only one breaker wins), and put back if it turns out not to be the stale one.
 */
function breakStaleLock(file: string, staleText: string): void {
  const grave = path.join(path.dirname(file), `.${path.basename(file)}.stale-${process.pid}`);
  try {
    fs.renameSync(file, grave);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // another process broke it first
    throw error;
  }
  if (fs.readFileSync(grave, 'utf8') !== staleText) {
    try {
      fs.linkSync(grave, file); // a fresh lock: give it back (fails only if yet another one exists)
    } catch {
      // leave the newer lock in place
    }
  }
  fs.rmSync(grave, { force: true });
}
