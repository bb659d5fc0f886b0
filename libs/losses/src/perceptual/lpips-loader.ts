import * as tf from '@tensorflow/tfjs-core';
import { SafetensorsFile, sha256File } from '@vqrae/nn';
import { LpipsNetwork, LPIPS_VGG16_CONV_INDICES, type LpipsTopology } from './lpips-network.js';

/** A loaded LPIPS network and where it came from (for run provenance and `describe()`). */
export interface LoadedLpips {
  /** Owned by the caller; `dispose()` after the run. */
  network: LpipsNetwork;
  /** `<path> (sha256 <hex>)`. */
  source: string;
  /** The file's `__metadata__` (e.g. format, lpips_version, input hashes). */
  metadata: Record<string, string>;
}

/**
 * Loads the safetensors written by `tools/convert/lpips_to_safetensors.py` (see README: how to convert the public
 * VGG16 and LPIPS v0.1 weights). Reads only the trunk and head keys; fails listing every missing or mis-shaped key.
 */
export async function loadLpipsNetwork(path: string, topology: LpipsTopology = { kind: 'vgg16' }): Promise<LoadedLpips> {
  const file = await SafetensorsFile.open(path);
  const named: Record<string, tf.Tensor> = {};
  try {
    const wanted = [
      ...LPIPS_VGG16_CONV_INDICES.flatMap((i) => [`features.${i}.weight`, `features.${i}.bias`]),
      ...[0, 1, 2, 3, 4].map((l) => `lin${l}.model.1.weight`),
    ];
    const present = new Set(file.keys());
    for (const key of wanted) if (present.has(key)) named[key] = await file.readTensor(key, { requireFinite: true, requireFloat: true });
    const network = LpipsNetwork.fromNamedTensors(named, topology);
    return { network, source: `${path} (sha256 ${await sha256File(path)})`, metadata: file.metadata };
  } catch (error) {
    throw new Error(`loadLpipsNetwork(${path}): ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    tf.dispose(Object.values(named));
    await file.close();
  }
}
