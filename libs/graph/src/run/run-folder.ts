import fs from 'node:fs';
import path from 'node:path';
import type { RunSummary } from '../types.js';
import { toJsonSafe } from './json-safe.js';
import { checkRunFolderTarget, sweepRecordTemporaries, writeFileAtomicSync } from './run-records.js';

/** One graph run recorded in a run folder. */
export interface GraphRecord {
  readonly name: string;
  readonly description: string;
  summary?: RunSummary;
}

/**
 * The folder one command run writes into: `config.json` (resolved options and provenance), `graph.txt` (the
 * description of every graph run), `summary.json` (statuses and counters) and whatever the command produces.
 */
export interface RunFolder {
  readonly dir: string;
  /** The topmost folder that creating this run folder made (mkdir -p); undefined when it already existed. */
  readonly createdDir: string | undefined;
  /** Absolute path of a file inside the folder. */
  path(name: string): string;
  writeJson(name: string, value: unknown): string;
  writeText(name: string, text: string): string;
  /** Appends `name: description` to graph.txt and remembers the graph for summary.json. */
  addGraph(name: string, description: string): GraphRecord;
  readonly graphs: readonly GraphRecord[];
}

/** Where {@link createRunFolder} makes the folder and which command owns it. */
export interface RunFolderOptions {
  /** The command (or graph) that owns the folder: recorded in config.json, refused in another command's folder. */
  readonly command: string;
  /** Explicit folder (--out); may already exist (e.g. to resume). */
  readonly out?: string;
  /** Parent of the default folder (default: `runs` in the current directory). */
  readonly runsRoot?: string;
  readonly now?: Date;
}

/**
 * Creates the run folder: `--out` as given, else `runs/<command>-<YYYYMMDD-HHMMSS>` (suffixed `-2`, … if taken).
 * An `--out` that is a file, or a run folder of another command, is refused (RunFolderError) before anything is created.
 * JSON records are written atomically (temporary name, rename).
 */
export function createRunFolder(options: RunFolderOptions): RunFolder {
  const dir = options.out !== undefined ? path.resolve(options.out) : freshDefaultFolder(options);
  checkRunFolderTarget(dir, options.command);
  const createdDir = fs.mkdirSync(dir, { recursive: true });
  if (createdDir === undefined) sweepRecordTemporaries(dir);
  const graphs: GraphRecord[] = [];
  const file = (name: string): string => path.join(dir, name);
  return {
    dir,
    createdDir,
    path: file,
    graphs,
    writeJson: (name, value) => {
      writeFileAtomicSync(file(name), `${JSON.stringify(toJsonSafe(value), null, 2)}\n`);
      return file(name);
    },
    writeText: (name, text) => {
      fs.writeFileSync(file(name), text);
      return file(name);
    },
    addGraph: (name, description) => {
      const record: GraphRecord = { name, description };
      graphs.push(record);
      fs.appendFileSync(file('graph.txt'), `${name}: ${description}\n`);
      return record;
    },
  };
}

function freshDefaultFolder(options: RunFolderOptions): string {
  const root = path.resolve(options.runsRoot ?? 'runs');
  const stamp = timestamp(options.now ?? new Date());
  const base = path.join(root, `${options.command}-${stamp}`);
  let candidate = base;
  for (let n = 2; fs.existsSync(candidate); n++) candidate = `${base}-${n}`;
  return candidate;
}

/** `20261129-030455` in local time. */
export function timestamp(date: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${date.getFullYear()}${p(date.getMonth() + 1)}${p(date.getDate())}-${p(date.getHours())}${p(date.getMinutes())}${p(date.getSeconds())}`;
}

/** The graphs of a run as summary.json lists them: name, description, then the run summary fields. */
export function graphSummaries(folder: RunFolder): Record<string, unknown>[] {
  return folder.graphs.map((g) => ({ name: g.name, description: g.description, ...g.summary }));
}
