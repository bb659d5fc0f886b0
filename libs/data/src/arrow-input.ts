import * as arrow from 'apache-arrow';

const FILE_MAGIC = 'ARROW1';

/**
 * Parses Arrow IPC bytes (file or stream format) read from `file`, with errors that name the file instead of
 * apache-arrow's internals ("Cannot read properties of null (reading 'fieldsLength')", "Expected to read 1819043176
 * metadata bytes"): not Arrow at all, a file-format body without its footer (truncated), or corrupt metadata.
 */
export function readArrowTable(bytes: Uint8Array, file: string): arrow.Table {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 8));
  const isFile = head.subarray(0, 6).toString('latin1') === FILE_MAGIC;
  const isStream = head.length >= 4 && head.readUInt32LE(0) === 0xffffffff;
  if (!isFile && !isStream) {
    throw new Error(`'${file}' is not an Arrow IPC file or stream (it starts with bytes ${[...head].map((b) => b.toString(16).padStart(2, '0')).join(' ')}${bytes.length === 0 ? '; it is empty' : ''})`);
  }
  if (isFile) {
    const tail = Buffer.from(bytes.buffer, bytes.byteOffset + Math.max(0, bytes.length - 6), Math.min(6, bytes.length)).toString('latin1');
    if (bytes.length < 14 || tail !== FILE_MAGIC) {
      throw new Error(`'${file}' is a truncated Arrow IPC file (${bytes.length} bytes, no closing '${FILE_MAGIC}' footer): rewrite it or remove it`);
    }
  }
  try {
    return arrow.tableFromIPC(bytes);
  } catch (error) {
    throw new Error(`'${file}' is a corrupt or truncated Arrow IPC ${isFile ? 'file' : 'stream'}: ${(error as Error).message}`);
  }
}

/**
 * An integer cell (number or bigint, any Arrow integer width) as a JS number; throws `describe()` + why for null,
 * non-integers and values beyond Number.MAX_SAFE_INTEGER.
 */
export function integerCell(value: unknown, describe: () => string): number {
  if (typeof value === 'bigint') {
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) throw new Error(`${describe()} is ${value}, beyond the safe integer range`);
    return Number(value);
  }
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  throw new Error(`${describe()} is ${value === null || value === undefined ? 'null' : String(value)}, not an integer`);
}
