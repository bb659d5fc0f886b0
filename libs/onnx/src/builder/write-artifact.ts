/** Writes an OnnxArtifact to disk atomically (temp name + rename per file). */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { type OnnxArtifact, relocateExternalData } from './model.js';

async function writeAtomically(target: string, chunks: readonly Uint8Array[]): Promise<void> {
  const temp = `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const handle = await open(temp, 'w');
  try {
    for (const chunk of chunks) {
      let written = 0;
      while (written < chunk.byteLength) written += (await handle.write(chunk, written, chunk.byteLength - written)).bytesWritten;
    }
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  await rename(temp, target);
}

/**
 * Writes the model to `outPath` and, when it has external data, the side file next to it as `<basename>.data`
 * (the model's references are rewritten to that name). The side file is renamed into place before the model, so a
 * model file never refers to a missing or partial side file. Returns the paths written.
 */
export async function writeOnnxArtifact(artifact: OnnxArtifact, outPath: string): Promise<string[]> {
  const written: string[] = [];
  let toWrite = artifact;
  if (artifact.externalData !== undefined) {
    const location = `${path.basename(outPath)}.data`;
    toWrite = relocateExternalData(artifact, location);
    const dataPath = path.join(path.dirname(outPath), location);
    await writeAtomically(dataPath, toWrite.externalData?.chunks ?? []);
    written.push(dataPath);
  }
  await writeAtomically(outPath, [toWrite.model]);
  written.unshift(outPath);
  return written;
}
