import fs from 'node:fs';
import path from 'node:path';
import { isProcessAlive, temporaryOwnerPid } from '../output-files.js';
import { RunFolderError } from './run-folder-error.js';

/** The files in which a run folder records its invocations (see README: run folders). */
export const RECORD_FILES = { config: 'config.json', summary: 'summary.json', graph: 'graph.txt', history: 'history.jsonl' } as const;

/**
 * Checks a run folder target before anything is created: it must not be a file (nor lie below one), and a folder that
 * already holds the records of another command (`config.json`, else `summary.json`, with another `command`) is refused, so that e.g.
 * `dump-tokens --out <an eval folder>` cannot replace the eval's summary. Throws a {@link RunFolderError} naming the folder.
 */
export function checkRunFolderTarget(dir: string, command: string): void {
  for (let at = dir; ; at = path.dirname(at)) {
    const stat = statOrNull(at);
    if (stat && !stat.isDirectory()) {
      throw new RunFolderError(at === dir ? { reason: 'file', dir, at, command } : { reason: 'below-file', dir, at, command });
    }
    if (stat || path.dirname(at) === at) break;
  }
  // config.json names the command of a defineCommand folder; summary.json also names it for writers without a
  // config.json (merge-eval).
  const owner = recordedCommand(path.join(dir, RECORD_FILES.config)) ?? recordedCommand(path.join(dir, RECORD_FILES.summary));
  if (owner !== null && owner !== command) {
    throw new RunFolderError({ reason: 'owned', dir, at: dir, command, owner });
  }
}

/** fs.Stats of `file`, or null when it does not exist or lies below a file (ENOTDIR). */
function statOrNull(file: string): fs.Stats | null {
  try {
    return fs.statSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw error;
  }
}

/** The `command` field of a run folder's record file, or null (no file, or not one of ours). */
function recordedCommand(file: string): string | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  try {
    const parsed = JSON.parse(text) as { command?: unknown };
    return typeof parsed.command === 'string' ? parsed.command : null;
  } catch {
    return null;
  }
}

/** What a run folder's records were before this invocation, so a refused invocation can put them back. */
export interface RecordsSnapshot {
  readonly dir: string;
  /** The topmost folder this invocation created (mkdir -p), if the run folder did not exist. */
  readonly createdDir: string | undefined;
  /** Whole-file records (config.json, summary.json): their bytes, or null when absent. */
  readonly files: ReadonlyMap<string, Buffer | null>;
  /** Append-only records (graph.txt, history.jsonl): their length, or null when absent. */
  readonly appended: ReadonlyMap<string, number | null>;
}

/** Remembers the records of `dir` (before this invocation writes any). */
export function snapshotRecords(dir: string, createdDir: string | undefined): RecordsSnapshot {
  const files = new Map<string, Buffer | null>();
  for (const name of [RECORD_FILES.config, RECORD_FILES.summary]) files.set(name, readOrNull(path.join(dir, name)));
  const appended = new Map<string, number | null>();
  for (const name of [RECORD_FILES.graph, RECORD_FILES.history]) {
    appended.set(name, fs.statSync(path.join(dir, name), { throwIfNoEntry: false })?.size ?? null);
  }
  return { dir, createdDir, files, appended };
}

/**
 * Keeps the previous invocation's records: its config.json and summary.json become one line of `history.jsonl`
 * (`{"config": …, "summary": …}`) before this invocation replaces them. Nothing to do in a fresh folder.
 */
export function archivePreviousRecords(snapshot: RecordsSnapshot): void {
  const config = snapshot.files.get(RECORD_FILES.config);
  if (!config) return;
  const summary = snapshot.files.get(RECORD_FILES.summary);
  const entry = { config: parseOrText(config), summary: summary ? parseOrText(summary) : null };
  fs.appendFileSync(path.join(snapshot.dir, RECORD_FILES.history), `${JSON.stringify(entry)}\n`);
}

/**
 * Puts a run folder's records back as `snapshot` saw them (a refused invocation or a dry run into an existing folder
 * leaves no trace); a folder this invocation created is removed again if nothing else was written into it.
 */
export function restoreRecords(snapshot: RecordsSnapshot): void {
  for (const [name, bytes] of snapshot.files) {
    const file = path.join(snapshot.dir, name);
    if (bytes === null) fs.rmSync(file, { force: true });
    else writeFileAtomicSync(file, bytes);
  }
  for (const [name, size] of snapshot.appended) {
    const file = path.join(snapshot.dir, name);
    if (size === null) fs.rmSync(file, { force: true });
    else if (fs.existsSync(file)) fs.truncateSync(file, size);
  }
  removeCreatedFolder(snapshot);
}

/** Removes `<record>.tmp-<pid>` files that a killed process left in `dir` (writeFileAtomicSync's temporaries). */
export function sweepRecordTemporaries(dir: string): void {
  for (const name of fs.readdirSync(dir)) {
    if (!/^(config|summary)\.json\.tmp-\d+$/.test(name)) continue;
    const pid = temporaryOwnerPid(name);
    if (pid !== undefined && !isProcessAlive(pid)) fs.rmSync(path.join(dir, name), { force: true });
  }
}

/** Writes `file` through a temporary name in the same folder and a rename: readers see the old or the new bytes. */
export function writeFileAtomicSync(file: string, data: string | Uint8Array): void {
  const temporary = `${file}.tmp-${process.pid}`;
  try {
    fs.writeFileSync(temporary, data);
    fs.renameSync(temporary, file);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw new Error(`cannot write ${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** Removes the folder an invocation created (and its empty parents up to the first it created) if it stayed empty. */
export function removeCreatedFolder(snapshot: RecordsSnapshot): void {
  if (snapshot.createdDir !== undefined) removeEmptyUpTo(snapshot.dir, snapshot.createdDir);
}

function removeEmptyUpTo(dir: string, top: string): void {
  for (let at = dir; ; at = path.dirname(at)) {
    if (!fs.existsSync(at) || fs.readdirSync(at).length > 0) return;
    fs.rmdirSync(at);
    if (at === top || path.dirname(at) === at) return;
  }
}

function readOrNull(file: string): Buffer | null {
  try {
    return fs.readFileSync(file);
  } catch {
    return null;
  }
}

function parseOrText(bytes: Buffer): unknown {
  const text = bytes.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
