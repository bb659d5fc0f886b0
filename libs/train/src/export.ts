import { type ParamStore, writeSafetensors } from '@vqrae/nn';

/**
 * A full parameter set for evaluation/export: a copy of `live` with every parameter the EMA tracks replaced by its
 * average (frozen parameters such as the codebook C or a stage-1 encoder are the live ones). Caller owns the result.
 */
export function evalStoreOf(live: ParamStore, ema: ParamStore): ParamStore {
  const store = live.clone();
  store.setTrainable(() => true, false);
  for (const name of ema.names()) store.assign(name, ema.get(name));
  return store;
}

/** Writes the EMA model (a stand-alone tokenizer checkpoint with the model's metadata), atomically. */
export async function writeModelFile(
  file: string,
  live: ParamStore,
  ema: ParamStore,
  metadata: Readonly<Record<string, string>>,
): Promise<void> {
  const store = evalStoreOf(live, ema);
  try {
    await writeSafetensors(file, store.toNamedTensors(), { metadata: { ...metadata, 'vqrae.weights': 'ema' } });
  } finally {
    store.dispose();
  }
}
