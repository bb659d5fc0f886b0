import fs from 'node:fs';
import path from 'node:path';
import { DumpRefusedError } from './errors.js';
import { ownerIsAlive, readLock } from './dump-lock.js';

/** The lock of a rank manifest (see `rankManifestName`): `manifest-rankRRRRR-of-WWWWW.json.lock`. */
const RANK_LOCK = /^manifest-rank(\d{5})-of-(\d{5})\.json\.lock$/;

/**
 * Refuses to start while a live process of another world size writes into `outDir`: ranks of different world sizes
 * own overlapping shards, so they would redo (and delete) each other's work. Ranks of the same world size own
 * disjoint shards and share a folder freely.
 */
export function assertNoOtherWorldSize(outDir: string, worldSize: number): void {
  for (const name of fs.readdirSync(outDir)) {
    const match = RANK_LOCK.exec(name);
    if (!match || Number(match[2]) === worldSize) continue;
    const held = readLock(path.join(outDir, name));
    if (held?.owner && ownerIsAlive(held.owner, held.mtimeMs)) {
      throw new DumpRefusedError(
        `dump into ${outDir} refused: rank ${Number(match[1])} of a ${Number(match[2])}-rank job is writing there now ` +
          `(pid ${held.owner.pid} on ${held.owner.hostname}); a ${worldSize}-rank job would share its shards`,
      );
    }
  }
}
