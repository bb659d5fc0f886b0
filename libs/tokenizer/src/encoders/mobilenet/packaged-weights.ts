/**
 * Reads the MobileNetV2 that ships inside the `nsfwjs` npm package (no network): the Keras topology and the 8-bit
 * quantised weight shard, dequantised to float32 by tfjs-core's `io.decodeWeights`.
 *
 * Only `nsfwjs/models/mobilenet_v2` is imported (dynamically): it loads two CommonJS bundles holding the model JSON
 * and the base64 weight shard and imports no tfjs package. nsfwjs's main entry is never imported, because it imports
 * the `@tensorflow/tfjs` union package (which registers a backend); libraries must not.
 */
import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs-core';
import type { PackagedWeightsSource } from '../../config/types.js';

/** One Keras layer of the functional topology (the fields the adapter reads). */
export interface KerasLayer {
  readonly name: string;
  readonly class_name: string;
  readonly config: Record<string, unknown>;
  /** Names of the inbound layers of the first call node. */
  readonly inputs: string[];
}

/** Decoded packaged model: layers in topological order and float32 weights by tfjs weight name (caller owns). */
export interface PackagedMobileNetV2 {
  readonly layers: KerasLayer[];
  readonly tensors: Record<string, tf.Tensor>;
  readonly sha256: string;
}

interface ModelDefinitionLike {
  modelJson: () => Promise<{ default: unknown }>;
  weightBundles: Array<() => Promise<{ default: unknown }>>;
}

function parseLayers(modelJson: Record<string, unknown>): KerasLayer[] {
  const topology = modelJson.modelTopology as { model_config?: { config?: { layers?: unknown[] } } } | undefined;
  const raw = topology?.model_config?.config?.layers;
  if (!Array.isArray(raw)) throw new Error('loadPackagedMobileNetV2: model JSON has no Keras functional layer list');
  return raw.map((entry) => {
    const layer = entry as { name: string; class_name: string; config: Record<string, unknown>; inbound_nodes?: unknown[][][] };
    const firstNode = layer.inbound_nodes?.[0] ?? [];
    return { name: layer.name, class_name: layer.class_name, config: layer.config, inputs: firstNode.map((call) => String(call[0])) };
  });
}

/**
 * Loads and verifies the packaged weights: the sha256 of the decoded shard bytes must equal `source.sha256` (a
 * different nsfwjs version ships different weights; the error says which version the config expects).
 */
export async function loadPackagedMobileNetV2(source: PackagedWeightsSource): Promise<PackagedMobileNetV2> {
  let definition: ModelDefinitionLike;
  try {
    const module = (await import('nsfwjs/models/mobilenet_v2')) as unknown as { MobileNetV2Model: ModelDefinitionLike };
    definition = module.MobileNetV2Model;
  } catch (error) {
    throw new Error(`loadPackagedMobileNetV2: cannot import nsfwjs/models/mobilenet_v2 (install nsfwjs@${source.version}): ${String(error)}`);
  }
  const modelJson = (await definition.modelJson()).default as Record<string, unknown>;
  const shards: Buffer[] = [];
  for (const bundle of definition.weightBundles) shards.push(Buffer.from(String((await bundle()).default), 'base64'));
  const bytes = Buffer.concat(shards);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== source.sha256) {
    throw new Error(`loadPackagedMobileNetV2: nsfwjs MobileNetV2 weights have sha256 ${sha256}, the config expects ${source.sha256} (nsfwjs@${source.version})`);
  }
  const manifest = modelJson.weightsManifest as Array<{ weights: tf.io.WeightsManifestEntry[] }>;
  const specs = manifest.flatMap((group) => group.weights);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const tensors = tf.io.decodeWeights(buffer, specs) as Record<string, tf.Tensor>;
  return { layers: parseLayers(modelJson), tensors, sha256 };
}
