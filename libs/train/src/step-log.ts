import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Field, Float64, Int32, makeData, RecordBatch, RecordBatchReader, RecordBatchStreamWriter, Schema, Struct, Table, tableToIPC } from 'apache-arrow';
import type { StepRecord } from './types.js';

/** One flat row of the per-step log: column name → number. */
export type StepRow = Record<string, number>;

const INT_COLUMNS = new Set(['step', 'epoch', 'samples_total', 'codes_used']);

/** Flattens a StepRecord into log columns (`lr_<group>`, `loss_<term>`, …). */
export function stepRow(record: StepRecord): StepRow {
  const row: StepRow = {
    step: record.step,
    epoch: record.epoch,
    samples_total: record.samplesTotal,
    wall_s: record.wallSeconds,
    loss: record.loss,
    grad_norm: record.gradNorm,
    codes_used: record.codesUsed,
    code_usage: record.codeUsage,
    images_per_s: record.imagesPerSecond,
  };
  for (const [group, lr] of Object.entries(record.lr)) row[`lr_${group}`] = lr;
  for (const [term, value] of Object.entries(record.terms)) row[`loss_${term}`] = value;
  return row;
}

/**
 * Incremental Arrow IPC stream writer for the per-step training log (`<dir>/steps-<firstStep>.arrows`). Rows are
 * buffered and written as one record batch every `flushEvery` rows (and on flush/close), so a killed run keeps
 * every flushed row readable. The column set is fixed by the first row; later rows must have the same keys.
 * A resumed run writes a new segment; readStepLog merges segments (the newest wins for repeated steps).
 */
export class StepLogWriter {
  private writer: RecordBatchStreamWriter | null = null;
  private done: Promise<void> | null = null;
  private schema: Schema | null = null;
  private pending: StepRow[] = [];
  readonly file: string;

  constructor(
    dir: string,
    firstStep: number,
    private readonly metadata: Readonly<Record<string, string>>,
    private readonly flushEvery = 10,
  ) {
    this.file = path.join(dir, `steps-${String(firstStep).padStart(8, '0')}.arrows`);
  }

  append(row: StepRow): void {
    this.pending.push(row);
    if (this.pending.length >= this.flushEvery) this.flush();
  }

  /** Writes the buffered rows as one record batch. */
  flush(): void {
    if (this.pending.length === 0) return;
    const rows = this.pending;
    this.pending = [];
    if (this.schema === null) this.open(rows[0]!);
    const schema = this.schema!;
    const children = schema.fields.map((field) => {
      const values = rows.map((row) => {
        const value = row[field.name];
        if (value === undefined) throw new Error(`step log: row of step ${row['step']} has no column '${field.name}'`);
        return value;
      });
      return field.type instanceof Int32
        ? makeData({ type: new Int32(), data: Int32Array.from(values) })
        : makeData({ type: new Float64(), data: Float64Array.from(values) });
    });
    const data = makeData({ type: new Struct(schema.fields), length: rows.length, nullCount: 0, children });
    this.writer!.write(new RecordBatch(schema, data));
  }

  private open(first: StepRow): void {
    const fields = Object.keys(first).map(
      (name) => new Field(name, INT_COLUMNS.has(name) ? new Int32() : new Float64(), false),
    );
    this.schema = new Schema(fields, new Map(Object.entries(this.metadata)));
    fs.mkdirSync(path.dirname(this.file), { recursive: true }); // at the first row: a graph that never runs creates nothing
    this.writer = new RecordBatchStreamWriter();
    this.done = pipeline(this.writer.toNodeStream(), fs.createWriteStream(this.file));
  }

  /** Flushes and closes the file (waits for the bytes to reach it). */
  async close(): Promise<void> {
    this.flush();
    if (this.writer) {
      this.writer.finish();
      await this.done;
      this.writer = null;
    }
  }
}

const SEGMENT = /^steps-\d{8}\.arrows$/;

/** The `steps-*.arrows` segment files of a log folder, in step order ([] when the folder does not exist). */
async function segmentFiles(dir: string): Promise<string[]> {
  return (await fsp.readdir(dir).catch(() => [] as string[])).filter((f) => SEGMENT.test(f)).sort().map((f) => path.join(dir, f));
}

/** A segment's complete record batches; `torn` when it ends in a partial one (a run killed or a disk full mid-write). */
interface Segment {
  readonly table: Table | null;
  readonly torn: boolean;
}

async function readSegment(file: string): Promise<Segment> {
  const bytes = await fsp.readFile(file);
  if (bytes.byteLength === 0) return { table: null, torn: false };
  const batches: RecordBatch[] = [];
  let torn = false;
  try {
    for (const batch of RecordBatchReader.from(bytes)) batches.push(batch);
  } catch {
    torn = true; // the batches before the partial one are complete and kept
  }
  return { table: batches.length > 0 ? new Table(batches) : null, torn };
}

/**
 * Reads every `steps-*.arrows` segment in `dir`, ordered by step; a later segment replaces repeated steps. A partial
 * record batch at a segment's end (a killed run) is left out.
 */
export async function readStepLog(dir: string): Promise<StepRow[]> {
  const byStep = new Map<number, StepRow>();
  for (const file of await segmentFiles(dir)) {
    const { table } = await readSegment(file);
    if (table === null) continue;
    const columns = table.schema.fields.map((f) => ({ name: f.name, vector: table.getChild(f.name)! }));
    for (let i = 0; i < table.numRows; i++) {
      const row: StepRow = {};
      for (const { name, vector } of columns) row[name] = Number(vector.get(i));
      byStep.set(row['step']!, row);
    }
  }
  return [...byStep.keys()].sort((a, b) => a - b).map((step) => byStep.get(step)!);
}

/**
 * Wall time the logged steps took, summed over invocations: each segment is one invocation and its last row's
 * `wall_s` the time that invocation spent (from its start) up to the last step it kept. Called after a resume has
 * dropped the steps it will train again, this is the time of the work the resumed run builds on; steps a killed run
 * trained past its last checkpoint are not counted (they are trained, and counted, again).
 */
export async function loggedWallSeconds(dir: string): Promise<number> {
  let seconds = 0;
  for (const file of await segmentFiles(dir)) {
    const wall = (await readSegment(file)).table?.getChild('wall_s');
    if (wall && wall.length > 0) seconds += Number(wall.get(wall.length - 1));
  }
  return seconds;
}

/**
 * Before a resume from the checkpoint of `lastStep`: removes the logged rows of later steps (a killed run logged
 * them, the resumed run trains them again) from every segment, so the log holds each step once, and the partial
 * record batch a killed run may have left at a segment's end. Rows of a segment are in step order, so the kept rows
 * are a prefix; a segment is rewritten through a temporary name and a rename, or deleted when nothing of it is kept.
 * Returns the number of rows dropped and the segments whose torn end was cut off.
 */
export async function dropStepsAfter(dir: string, lastStep: number): Promise<{ rows: number; torn: string[] }> {
  let rows = 0;
  const torn: string[] = [];
  for (const file of await segmentFiles(dir)) {
    const segment = await readSegment(file);
    if (segment.torn) torn.push(file);
    const table = segment.table;
    if (table === null) {
      await fsp.rm(file);
      continue;
    }
    const steps = table.getChild('step');
    if (!steps) throw new Error(`step log ${file}: no 'step' column`);
    let keep = 0;
    while (keep < table.numRows && Number(steps.get(keep)) <= lastStep) keep++;
    if (keep === table.numRows && !segment.torn) continue;
    rows += table.numRows - keep;
    if (keep === 0) {
      await fsp.rm(file);
      continue;
    }
    const temporary = `${file}.tmp-${process.pid}`;
    await fsp.writeFile(temporary, tableToIPC(table.slice(0, keep), 'stream'));
    await fsp.rename(temporary, file);
  }
  return { rows, torn };
}
