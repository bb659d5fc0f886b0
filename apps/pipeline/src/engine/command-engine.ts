/**
 * Opens the engine of an inference command once per run: prints the engine line, adds `engine` to the run's
 * config.json, and returns the engine with its record (for provenance). The caller disposes the engine at the end.
 */
import fs from 'node:fs';
import type { Logger, RunFolder } from '@vqrae/graph';
import { tfjsEngine, type VqraeModel } from '@vqrae/tokenizer';
import type { EngineOptions } from './engine-options.js';
import { openEngine, type EngineDeps, type EngineRecord, type OpenedEngine } from './select-engine.js';

/** What a command context offers that the engine needs. */
export interface EngineHost {
  readonly options: EngineOptions & { readonly dryRun?: boolean };
  readonly backend: { readonly name: string };
  readonly log: Logger;
  readonly runFolder: RunFolder;
}

/**
 * Adds `<key>: record` to the run folder's config.json (written before the command ran): `engine` for the tokenizer,
 * `featureEngine` for the Fréchet-distance network of `vqrae eval`.
 */
export function recordEngine(runFolder: RunFolder, record: EngineRecord, key: 'engine' | 'featureEngine' = 'engine'): void {
  const file = runFolder.path('config.json');
  const config = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  runFolder.writeJson('config.json', { ...config, [key]: record });
}

/**
 * Opens the engine for `model` (taking ownership of it), prints the engine line and records it. Under `--dry-run`
 * nothing is exported or loaded: a tfjs stand-in (which only describes the graph) is returned.
 */
export async function openCommandEngine(host: EngineHost, model: VqraeModel, deps: Partial<EngineDeps> = {}): Promise<OpenedEngine> {
  if (host.options.dryRun) {
    const engine = tfjsEngine(model, `tfjs(${host.backend.name})`);
    const record: EngineRecord = { engine: 'tfjs', requested: host.options.engine as EngineRecord['requested'], provider: host.backend.name, threads: null, label: engine.label, reason: 'dry run: no engine opened' };
    host.log.info(`engine: not opened (--dry-run; --engine ${host.options.engine})`);
    return { engine, record, message: '' };
  }
  let opened: OpenedEngine;
  try {
    opened = await openEngine(model, host.options, { backend: host.backend.name, ...deps });
  } catch (error) {
    model.dispose();
    throw error;
  }
  host.log.info(opened.message);
  recordEngine(host.runFolder, opened.record);
  return opened;
}
