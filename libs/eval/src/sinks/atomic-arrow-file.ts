import { RecordBatchFileWriter, type RecordBatch, type Schema } from 'apache-arrow';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import nodePath from 'node:path';
import { fileWriteError, removeStaleTemporaries, writeAll } from '@vqrae/graph';

let tempCounter = 0;

/**
 * An Arrow IPC *file* written batch by batch to a temporary name beside `path`, renamed into place on
 * {@link close} (readers never see a half-written file; a killed job leaves nothing under the final name);
 * {@link abort} removes the temporary file. Bytes are pumped from the writer's queue to the file as they are
 * produced, so memory stays at about one record batch; the file is fsynced before the rename. A failed write (full
 * disk) makes {@link write}/{@link close} throw naming the final file; temporaries of this name left by dead
 * processes are removed when the file is started.
 */
export class AtomicArrowFile {
  private readonly writer = new RecordBatchFileWriter();
  private readonly tempPath: string;
  private readonly handle: Promise<FileHandle>;
  private readonly pumped: Promise<void>;
  private failure: unknown = undefined;
  private state: 'open' | 'closed' | 'aborted' = 'open';

  /** Starts the file: the schema (with its metadata) is written first, so even an empty file is valid. */
  constructor(
    readonly path: string,
    readonly schema: Schema,
  ) {
    tempCounter += 1;
    this.tempPath = `${path}.tmp-${process.pid}-${tempCounter}`;
    const base = `${nodePath.basename(path)}.tmp-`;
    this.handle = removeStaleTemporaries(nodePath.dirname(path), (name) => name.startsWith(base)).then(() => open(this.tempPath, 'w'));
    this.pumped = this.pump().catch((error: unknown) => {
      this.failure ??= error;
    });
    this.writer.reset(undefined, schema);
  }

  /** Name of the temporary file being written. */
  get temporaryPath(): string {
    return this.tempPath;
  }

  /** Appends one record batch whose fields equal {@link schema}'s. */
  write(batch: RecordBatch): void {
    this.assertOpen('write');
    if (this.failure !== undefined) throw this.wrap(this.failure);
    if (!sameFields(batch.schema, this.schema)) {
      throw new Error(`AtomicArrowFile(${nodePath.basename(this.path)}): batch schema differs from the file's`);
    }
    this.writer.write(batch);
  }

  /** Writes the footer, waits for every byte to reach the file and renames it into place. */
  async close(): Promise<void> {
    this.assertOpen('close');
    this.state = 'closed';
    this.writer.finish(); // footer + end of the byte queue
    try {
      await this.settle(true);
      if (this.failure !== undefined) throw this.failure;
      await rename(this.tempPath, this.path);
    } catch (error) {
      await rm(this.tempPath, { force: true });
      throw this.wrap(error);
    }
  }

  /** Stops writing and deletes the temporary file; the final path is never created. Safe to call twice. */
  async abort(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'aborted';
    this.writer.close();
    await this.settle();
    await rm(this.tempPath, { force: true });
  }

  private async pump(): Promise<void> {
    const handle = await this.handle;
    for await (const chunk of this.writer) {
      if (this.state !== 'aborted') await writeAll(handle, chunk);
    }
  }

  /** Waits for the pump to drain and closes the file handle (if it was ever opened), fsyncing it first if asked. */
  private async settle(sync = false): Promise<void> {
    await this.pumped;
    const handle = await this.handle.catch(() => undefined);
    if (!handle) return;
    try {
      if (sync && this.failure === undefined) await handle.sync();
    } finally {
      await handle.close();
    }
  }

  private assertOpen(op: string): void {
    if (this.state !== 'open') throw new Error(`AtomicArrowFile(${nodePath.basename(this.path)}): ${op} after the file was ${this.state}`);
  }

  private wrap(error: unknown): Error {
    return fileWriteError(this.path, error);
  }
}

function sameFields(a: Schema, b: Schema): boolean {
  return a.fields.length === b.fields.length &&
    a.fields.every((f, i) => f.name === b.fields[i]!.name && String(f.type) === String(b.fields[i]!.type));
}
