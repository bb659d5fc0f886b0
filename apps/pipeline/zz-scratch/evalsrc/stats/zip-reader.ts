import fs from 'node:fs/promises';
import { inflateSync } from 'fflate';

/**
 * Minimal random-access ZIP reader for `.npz` files: reads the central directory (ZIP64 aware, for multi-GB ADM
 * reference batches) with positioned reads, then only the entries asked for. Stored and deflated entries.
 */
export interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

async function readAt(file: fs.FileHandle, position: number, length: number): Promise<Uint8Array> {
  const buffer = new Uint8Array(length);
  const { bytesRead } = await file.read(buffer, 0, length, position);
  if (bytesRead !== length) throw new Error(`zip: short read at ${position} (${bytesRead} of ${length} bytes)`);
  return buffer;
}

const view = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);

/** Lists the entries of the ZIP file open in `file` (`size` = file size), from its central directory. */
export async function zipEntries(file: fs.FileHandle, size: number, path: string): Promise<ZipEntry[]> {
  const tailLength = Math.min(size, 22 + 65535);
  const tail = await readAt(file, size - tailLength, tailLength);
  const tv = view(tail);
  let eocd = -1;
  for (let i = tailLength - 22; i >= 0; i--) if (tv.getUint32(i, true) === EOCD) { eocd = i; break; }
  if (eocd < 0) throw new Error(`zip '${path}': no end-of-central-directory record (not a zip/npz file?)`);
  let count = tv.getUint16(eocd + 10, true);
  let cdSize = tv.getUint32(eocd + 12, true);
  let cdOffset = tv.getUint32(eocd + 16, true);
  if (eocd >= 20 && tv.getUint32(eocd - 20, true) === ZIP64_LOCATOR) {
    const z64At = Number(tv.getBigUint64(eocd - 20 + 8, true));
    const z64 = view(await readAt(file, z64At, 56));
    if (z64.getUint32(0, true) !== ZIP64_EOCD) throw new Error(`zip '${path}': bad ZIP64 end-of-central-directory record`);
    count = Number(z64.getBigUint64(32, true));
    cdSize = Number(z64.getBigUint64(40, true));
    cdOffset = Number(z64.getBigUint64(48, true));
  }
  const cd = await readAt(file, cdOffset, cdSize);
  const cv = view(cd);
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let n = 0; n < count; n++) {
    if (cv.getUint32(p, true) !== CENTRAL) throw new Error(`zip '${path}': bad central directory entry ${n}`);
    const method = cv.getUint16(p + 10, true);
    let compressedSize = cv.getUint32(p + 20, true);
    let uncompressedSize = cv.getUint32(p + 24, true);
    const nameLength = cv.getUint16(p + 28, true);
    const extraLength = cv.getUint16(p + 30, true);
    const commentLength = cv.getUint16(p + 32, true);
    let localHeaderOffset = cv.getUint32(p + 42, true);
    const name = new TextDecoder().decode(cd.subarray(p + 46, p + 46 + nameLength));
    // ZIP64 extended information: the 64-bit values of the fields that were saturated, in this order.
    let q = p + 46 + nameLength;
    const extraEnd = q + extraLength;
    while (q + 4 <= extraEnd) {
      const id = cv.getUint16(q, true);
      const len = cv.getUint16(q + 2, true);
      if (id === 0x0001) {
        let r = q + 4;
        if (uncompressedSize === 0xffffffff) { uncompressedSize = Number(cv.getBigUint64(r, true)); r += 8; }
        if (compressedSize === 0xffffffff) { compressedSize = Number(cv.getBigUint64(r, true)); r += 8; }
        if (localHeaderOffset === 0xffffffff) { localHeaderOffset = Number(cv.getBigUint64(r, true)); }
      }
      q += 4 + len;
    }
    entries.push({ name, method, compressedSize, size: uncompressedSize, localHeaderOffset });
    p = extraEnd + commentLength;
  }
  return entries;
}

/** Reads and (if deflated) inflates one entry. */
export async function readZipEntry(file: fs.FileHandle, entry: ZipEntry, path: string): Promise<Uint8Array> {
  const local = view(await readAt(file, entry.localHeaderOffset, 30));
  if (local.getUint32(0, true) !== LOCAL) throw new Error(`zip '${path}': bad local header for '${entry.name}'`);
  const dataStart = entry.localHeaderOffset + 30 + local.getUint16(26, true) + local.getUint16(28, true);
  const raw = await readAt(file, dataStart, entry.compressedSize);
  if (entry.method === 0) return raw;
  if (entry.method === 8) return inflateSync(raw, { out: new Uint8Array(entry.size) });
  throw new Error(`zip '${path}': entry '${entry.name}' uses unsupported compression method ${entry.method}`);
}
