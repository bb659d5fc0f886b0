/**
 * Runs the Python PIL peer (tools/testing/pil_center_crop.py) on some encoded images: their centre crops decoded by
 * PIL at full size + PIL bicubic, and PIL's CPU cost per image with a full decode and with `draft()`. Only this tool
 * uses it (never the tests); the Python is the first of `findBenchPython`'s candidates with PIL and numpy.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RgbImage } from '@vqrae/data';
import { findBenchPython } from '../bench/bench-python.js';
import { WORKSPACE_ROOT } from './fixtures.js';

/** What the peer returns: one crop per input (same order) and its CPU ms per image. */
export interface PilPeerResult {
  readonly crops: RgbImage[];
  /** The same crops decoded with PIL's `draft()` (DCT-domain downscale, PIL's fast path). */
  readonly draftCrops: RgbImage[];
  readonly fullCpuMs: number;
  readonly draftCpuMs: number;
}

const SCRIPT = path.join(WORKSPACE_ROOT, 'tools/testing/pil_center_crop.py');

/** `count` crops of [S, S, 3] uint8 written back to back to `file`. */
function readCrops(file: string, size: number, count: number): RgbImage[] {
  const raw = fs.readFileSync(file);
  const bytesPerCrop = size * size * 3;
  if (raw.length !== bytesPerCrop * count) throw new Error(`decode-mode-agreement: PIL peer wrote ${raw.length} bytes to ${file}, expected ${bytesPerCrop * count}`);
  return Array.from({ length: count }, (_, i) => ({ data: new Uint8Array(raw.subarray(i * bytesPerCrop, (i + 1) * bytesPerCrop)), width: size, height: size, channels: 3 as const }));
}

/** Centre `size` crops of `images` by PIL; throws naming the peer when no Python with PIL is found or it fails. */
export function pilCenterCrops(images: readonly { key: string; bytes: Uint8Array }[], size: number): PilPeerResult {
  const python = findBenchPython();
  if (!python) throw new Error('decode-mode-agreement: --compare pil needs a Python with PIL and numpy (VQRAE_BENCH_PYTHON, /usr/bin/python3 or /tmp/pytorch-root/python3)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vqrae-pil-peer-'));
  try {
    const files = images.map((image, i) => {
      const file = path.join(dir, `${String(i).padStart(4, '0')}.img`);
      fs.writeFileSync(file, image.bytes);
      return file;
    });
    const out = path.join(dir, 'crops.raw');
    const draftOut = path.join(dir, 'draft-crops.raw');
    const result = spawnSync(python, [SCRIPT, ...files, '--size', String(size), '--out', out, '--draft-out', draftOut], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } });
    if (result.status !== 0) throw new Error(`decode-mode-agreement: ${SCRIPT} failed (exit ${result.status}): ${result.stderr}`);
    const timing = JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as { full_cpu_ms: number; draft_cpu_ms: number };
    return { crops: readCrops(out, size, images.length), draftCrops: readCrops(draftOut, size, images.length), fullCpuMs: timing.full_cpu_ms, draftCpuMs: timing.draft_cpu_ms };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
