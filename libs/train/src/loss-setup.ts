import * as tf from '@tensorflow/tfjs-core';
import type { Logger } from '@vqrae/graph';
import type { ParamStore } from '@vqrae/nn';
import {
  createEncPerceptualLoss,
  createLpipsLoss,
  DISCRIMINATOR_LABELS,
  loadDinoVit,
  loadLpipsNetwork,
  type DiscriminatorLabel,
  type FeaturePyramid,
  type LoadedLpips,
} from '@vqrae/losses';
import { encoderFeaturePyramid } from '@vqrae/tokenizer';
import { Adversary } from './adversary.js';
import type { TrainJobConfig } from './job-config.js';
import type { LoadedModel } from './model-factory.js';
import type { PerceptualSetup } from './objectives.js';

/** The perceptual and adversarial parts of a stage's objective, with what they own. */
export interface StageLosses {
  readonly perceptual: PerceptualSetup | null;
  /** null when λ_G = 0 (no discriminator is built or trained). */
  readonly adversary: Adversary | null;
  /** One line per part for the run log (honest names: enc-perceptual and E_T-disc are substitutes). */
  readonly description: readonly string[];
  dispose(): void;
}

/**
 * Builds the perceptual term and the adversary of a stage on the FROZEN encoder (stage 1: the model's own encoder,
 * which is frozen; stage 2: the teacher copy E_T), spec §7.5 / §8.6:
 * - `lpips`: the LPIPS network from `config.lpipsWeights`;
 * - `enc-perceptual`: LPIPS-style distance on the encoder's default perceptual taps (not LPIPS);
 * - GAN (λ_G > 0): `E_T-disc` heads on the encoder's default discriminator taps, or `DINO-disc` heads on a supplied
 *   DINO ViT-S/8; fresh, or the stage-1 heads in a new stage 2 (`loaded.discSeed`, consumed here).
 */
export async function buildStageLosses(config: TrainJobConfig, loaded: LoadedModel, log: Logger): Promise<StageLosses> {
  const { model } = loaded;
  const frozen: ParamStore = config.stage === 1 ? model.params : loaded.teacher!;
  const encoder = model.encoder;
  const frozenName = config.stage === 1 ? 'frozen encoder' : 'frozen teacher E_T';
  const description: string[] = [];
  let lpips: LoadedLpips | null = null;
  let perceptual: PerceptualSetup | null = null;
  let adversary: Adversary | null = null;
  let backbone: DiscriminatorBackbone | null = null;
  try {
    if (config.perceptual === 'lpips') {
      if (config.lpipsWeights === null) throw new Error('train: perceptual lpips needs lpipsWeights (tools/convert/lpips_to_safetensors.py)');
      lpips = await loadLpipsNetwork(config.lpipsWeights);
      perceptual = { loss: createLpipsLoss({ network: lpips.network, source: lpips.source }), weight: config.perceptualWeight };
    } else if (config.perceptual === 'enc-perceptual') {
      const taps = encoder.defaultTaps('perceptual');
      const pyramid = encoderFeaturePyramid(encoder, frozen, taps);
      const source = `${frozenName} ${encoder.config.kind} taps ${taps.join(',')}`;
      perceptual = { loss: createEncPerceptualLoss({ pyramid, source }), weight: config.perceptualWeight, targetPyramid: pyramid, encoderTaps: taps };
    }
    if (perceptual) description.push(`perceptual: ${perceptual.loss.describe()} × ${perceptual.weight}`);
    if (config.ganWeight > 0) {
      backbone = await discriminatorBackbone(config, loaded, frozen, frozenName);
      if (config.discKernel % 2 !== 1 || (config.discKernel - 1) / 2 > backbone.tokens) {
        throw new Error(`train: discKernel ${config.discKernel} must be odd and at most ${2 * backbone.tokens + 1} (the smallest tapped map has ${backbone.tokens} tokens)`);
      }
      adversary = Adversary.create(
        {
          label: backbone.label,
          channels: backbone.channels,
          weight: config.ganWeight,
          dStart: config.ganDStart,
          gStart: config.ganGStart,
          adaptiveEvery: config.ganAdaptiveEvery,
          kernelSize: config.discKernel,
          totalSteps: config.steps,
          seed: config.seed,
          optimizer: { beta1: config.beta1, beta2: config.beta2, eps: 1e-8, weightDecay: config.weightDecay },
        },
        backbone.pyramid,
        loaded.discSeed ?? undefined,
      );
      description.push(`adversarial: ${adversary.describe()} on ${backbone.source}` + (loaded.discSeed ? ' (heads from the stage-1 checkpoint)' : ''));
    } else if (loaded.discSeed) {
      log.info('train: the stage-1 checkpoint has discriminator heads, but λ_G = 0: no GAN in this stage');
    }
  } catch (error) {
    lpips?.network.dispose();
    adversary?.dispose();
    backbone?.dispose();
    throw error;
  } finally {
    if (loaded.discSeed) tf.dispose(Object.values(loaded.discSeed));
  }
  return {
    perceptual,
    adversary,
    description,
    dispose() {
      lpips?.network.dispose();
      adversary?.dispose();
      backbone?.dispose();
    },
  };
}

/** The frozen network the discriminator heads look at, with what the heads need to know about its maps. */
interface DiscriminatorBackbone {
  readonly label: DiscriminatorLabel;
  readonly pyramid: FeaturePyramid;
  readonly channels: readonly number[];
  /** Token count of the smallest map (bounds the head kernel). */
  readonly tokens: number;
  /** For the run log, e.g. `frozen encoder taps …` or `DINO ViT-S/8 <file> (sha256 …)`. */
  readonly source: string;
  dispose(): void;
}

/**
 * `encoder` (default): the frozen encoder's discriminator taps, labelled `E_T-disc` (spec §7.5's honest substitute).
 * `dino`: a supplied DINO ViT-S/8, labelled `DINO-disc` (RAE's design).
 */
async function discriminatorBackbone(config: TrainJobConfig, loaded: LoadedModel, frozen: ParamStore, frozenName: string): Promise<DiscriminatorBackbone> {
  if (config.discBackbone === 'dino') {
    if (config.dinoWeights === null) throw new Error('train: the DINO discriminator backbone needs dinoWeights (tools/convert/dino_to_safetensors.py)');
    const { network, source } = await loadDinoVit(config.dinoWeights);
    return {
      label: DISCRIMINATOR_LABELS.dino,
      pyramid: network.pyramid,
      channels: network.channels,
      tokens: network.tokens,
      source: `${network.describe()} from ${source}`,
      dispose: () => network.dispose(),
    };
  }
  const encoder = loaded.model.encoder;
  const taps = encoder.defaultTaps('discriminator');
  const byName = new Map(encoder.featureTaps().map((tap) => [tap.name, tap]));
  return {
    label: DISCRIMINATOR_LABELS.teacherEncoder,
    pyramid: encoderFeaturePyramid(encoder, frozen, taps),
    channels: taps.map((name) => byName.get(name)!.channels),
    tokens: Math.min(...taps.map((name) => byName.get(name)!.tokens)),
    source: `${frozenName} taps ${taps.join(',')}`,
    dispose: () => undefined,
  };
}
