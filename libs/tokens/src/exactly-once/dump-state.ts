import fs from 'node:fs/promises';
import path from 'node:path';
import { MANIFEST_FORMAT, readManifest, writeManifest, type DumpManifest, type InputShardRecord, type OutputFileRecord } from './manifest.js';

/** The append-only journal beside a rank manifest: one JSON line per finished shard since the last compaction. */
export function journalFile(manifestFile: string): string {
  return `${manifestFile}.journal`;
}

/** One journal line: a shard's record and (when done) its committed output files. */
interface JournalEntry {
  readonly input: InputShardRecord;
  readonly outputs: readonly OutputFileRecord[];
}

/** Journal lines allowed before a compaction, at least: rewrites stay amortised O(1) per shard. */
const MIN_JOURNAL_BEFORE_COMPACTION = 1024;
/** Non-durable journal lines buffered before one write. */
const PENDING_LINES = 512;

/** Manifest fields that do not change while one job runs. */
export type ManifestHeader = Pick<DumpManifest, 'kind' | 'fingerprint' | 'rank' | 'worldSize' | 'provenance' | 'assigned'>;

/**
 * A rank's dump bookkeeping with O(1) cost per shard: records live in memory (by shard), each finished shard appends
 * one line to `<manifest>.journal`, and the manifest is rewritten (atomically) only when the journal has grown as
 * long as the manifest (amortised O(1)) and at the end, after which the journal is removed. Replaying a journal over
 * its manifest is idempotent (a shard's later record wins), so a crash at any point loses at most the last, torn line,
 * which only means that shard is redone.
 */
export class DumpState {
  private readonly inputs = new Map<string, InputShardRecord>();
  private readonly outputs = new Map<string, OutputFileRecord[]>();
  private journal: fs.FileHandle | undefined;
  private journalLines = 0;
  /** Journal lines not yet written (non-durable records, written in batches). */
  private pending: string[] = [];

  private constructor(
    readonly manifestFile: string,
    /** The manifest as found on disk (before replaying the journal), for the fingerprint check. */
    readonly previous: DumpManifest | undefined,
  ) {}

  /** Reads the manifest (if any) and replays its journal (a torn last line is ignored). */
  static async load(manifestFile: string): Promise<DumpState> {
    const previous = await readManifest(manifestFile);
    const state = new DumpState(manifestFile, previous);
    for (const input of previous?.inputs ?? []) state.inputs.set(input.shard, input);
    for (const output of previous?.outputs ?? []) state.outputsOf(output.shard).push(output);
    for (const entry of await readJournal(journalFile(manifestFile))) state.apply(entry);
    return state;
  }

  /** The record of `shard`, if it was ever finished (done or failed). */
  record(shard: string): InputShardRecord | undefined {
    return this.inputs.get(shard);
  }

  /**
   * Records a finished shard as one journal line. `fsync`: written and fsync'd before this resolves (a shard that
   * committed files: a power loss does not redo it); `write`: written (survives a kill of this process); `buffer`:
   * written later in batches (a failed shard: losing its record only means a retry, which happens anyway). A record
   * is never needed for correctness, only to avoid redoing work: its files are durable before it is written.
   * Compacts when the journal has grown as long as the manifest.
   */
  async add(input: InputShardRecord, outputs: readonly OutputFileRecord[], header: ManifestHeader, persistence: 'fsync' | 'write' | 'buffer'): Promise<void> {
    this.apply({ input, outputs });
    this.pending.push(`${JSON.stringify({ input, outputs })}\n`);
    this.journalLines += 1;
    if (this.journalLines >= Math.max(MIN_JOURNAL_BEFORE_COMPACTION, this.inputs.size)) await this.compact(header);
    else if (persistence !== 'buffer' || this.pending.length >= PENDING_LINES) await this.flush(persistence === 'fsync');
  }

  /** Appends the buffered journal lines (and fsyncs them when `sync`). */
  private async flush(sync: boolean): Promise<void> {
    if (this.pending.length === 0) return;
    this.journal ??= await fs.open(journalFile(this.manifestFile), 'a');
    await this.journal.write(this.pending.join(''));
    this.pending = [];
    if (sync) await this.journal.datasync();
  }

  /** The full manifest of the current state (inputs sorted by shard, outputs by file). */
  manifest(header: ManifestHeader): DumpManifest {
    const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
    return {
      format: MANIFEST_FORMAT,
      ...header,
      inputs: [...this.inputs.values()].sort((a, b) => byName(a.shard, b.shard)),
      outputs: [...this.outputs.values()].flat().sort((a, b) => byName(a.file, b.file)),
      updatedAt: new Date().toISOString(),
    };
  }

  /** Rewrites the manifest atomically from memory, then removes the journal it now contains. */
  async compact(header: ManifestHeader): Promise<DumpManifest> {
    const manifest = this.manifest(header);
    await writeManifest(this.manifestFile, manifest);
    this.pending = [];
    await this.journal?.close();
    this.journal = undefined;
    await fs.rm(journalFile(this.manifestFile), { force: true });
    this.journalLines = 0;
    return manifest;
  }

  /** Writes buffered lines and closes the journal without compacting (the records stay replayable). */
  async close(): Promise<void> {
    await this.flush(false).catch(() => undefined); // best effort: unwritten lines are failed shards, retried anyway
    await this.journal?.close();
    this.journal = undefined;
  }

  private apply(entry: JournalEntry): void {
    this.inputs.set(entry.input.shard, entry.input);
    this.outputs.set(entry.input.shard, [...entry.outputs]);
  }

  private outputsOf(shard: string): OutputFileRecord[] {
    let list = this.outputs.get(shard);
    if (!list) this.outputs.set(shard, (list = []));
    return list;
  }
}

async function readJournal(file: string): Promise<JournalEntry[]> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const lines = text.split('\n');
  const entries: JournalEntry[] = [];
  for (const [i, line] of lines.entries()) {
    if (line === '') continue;
    try {
      entries.push(JSON.parse(line) as JournalEntry);
    } catch (error) {
      // Only the last line can be torn (a kill mid-append); anything else is damage worth naming.
      if (i >= lines.length - 2) break;
      throw new Error(`dump journal ${path.basename(file)}: line ${i + 1} is not valid JSON (${(error as Error).message})`);
    }
  }
  return entries;
}

/** The current records of a rank manifest, journal included (what `merge-manifests` and tests read). */
export async function readDumpManifest(manifestFile: string): Promise<DumpManifest | undefined> {
  const state = await DumpState.load(manifestFile);
  if (!state.previous) {
    // A run killed before its first compaction has only a journal; its header is unknown until it compacts.
    return undefined;
  }
  return state.manifest(state.previous);
}
