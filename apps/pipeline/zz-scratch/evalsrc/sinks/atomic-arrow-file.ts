import { RecordBatchFileWriter, type RecordBatch, type Schema } from 'apache-arrow';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

let tempCounter = 0;

/**
 * An Arrow IPC *file* written batch by batch to a temporary name beside `path`, renamed into place on
 * {@link close} (readers never see a half-written file; a killed job leaves nothing under the final name);
 * {@link abort} removes the temporary file. Bytes are pumped from the writer's queue to the file as they are
 * produced, so memory stays at about one record batch.
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
    this.handle = open(this.tempPath, 'w');
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
      throw new Error(`AtomicArrowFile(${path.basename(this.path)}): batch schema differs from the file's`);
    }
    this.writer.write(batch);
  }

  /** Writes the footer, waits for every byte to reach the file and renames it into place. */
  async close(): Promise<void> {
    this.assertOpen('close');
    this.state = 'closed';
    this.writer.finish(); // footer + end of the byte queue
    await this.settle();
    if (this.failure !== undefined) {
      await rm(this.tempPath, { force: true });
      throw this.wrap(this.failure);
    }
    await rename(this.tempPath, this.path);
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
      if (this.state !== 'aborted') await handle.write(chunk);
    }
  }

  /** Waits for the pump to drain and closes the file handle (if it was ever opened). */
  private async settle(): Promise<void> {
    await this.pumped;
    const handle = await this.handle.catch(() => undefined);
    await handle?.close();
  }

  private assertOpen(op: string): void {
    if (this.state !== 'open') throw new Error(`AtomicArrowFile(${path.basename(this.path)}): ${op} after the file was ${this.state}`);
  }

  private wrap(error: unknown): Error {
    const why = error instanceof Error ? error.message : String(error);
    return new Error(`AtomicArrowFile: writing '${this.path}' failed: ${why}`);
  }
}

function sameFields(a: Schema, b: Schema): boolean {
  return a.fields.length === b.fields.length &&
    a.fields.every((f, i) => f.name === b.fields[i]!.name && String(f.type) === String(b.fields[i]!.type));
}
