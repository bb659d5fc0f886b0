import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, 'apps/pipeline/bin/vqrae.mjs');

/** Runs `vqrae <args>` to completion (synchronously) with the repository root as cwd. */
export function vqrae(args: readonly string[], env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 180_000 });
}

/** Starts `vqrae <args>` and SIGKILLs it after `ms` milliseconds (or lets it finish first). Resolves with how it ended. */
export function vqraeKilledAfter(args: readonly string[], ms: number): Promise<'killed' | 'finished'> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      resolve(signal === 'SIGKILL' ? 'killed' : 'finished');
    });
  });
}

export async function tempDir(prefix: string): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), `vqrae-e2e-${prefix}-`));
}

/**
 * Starts `vqrae <args>` and SIGKILLs it as soon as `condition()` holds (polled every 10 ms), or lets it finish.
 * Resolves with how it ended.
 */
export function vqraeKilledWhen(args: readonly string[], condition: () => Promise<boolean>): Promise<'killed' | 'finished'> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: 'ignore' });
    let done = false;
    const poll = async (): Promise<void> => {
      while (!done) {
        if (await condition().catch(() => false)) {
          child.kill('SIGKILL');
          return;
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    void poll();
    child.on('exit', (_code, signal) => {
      done = true;
      resolve(signal === 'SIGKILL' ? 'killed' : 'finished');
    });
  });
}

/**
 * Starts `vqrae <args>`, sends it SIGINT (Ctrl-C) as soon as `condition()` holds (polled every 10 ms) and resolves
 * with its exit code (null if a signal ended it), its stderr and whether the interrupt was sent before it finished.
 */
export function vqraeInterruptedWhen(
  args: readonly string[],
  condition: () => Promise<boolean>,
): Promise<{ code: number | null; stderr: string; interrupted: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
    let done = false;
    let interrupted = false;
    const poll = async (): Promise<void> => {
      while (!done) {
        if (await condition().catch(() => false)) {
          interrupted = child.kill('SIGINT');
          return;
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    void poll();
    child.on('close', (code) => {
      done = true;
      resolve({ code, stderr, interrupted });
    });
  });
}
