import * as tf from '@tensorflow/tfjs-core';
import { shapeProblems, type ActivationName, type AttentionParams, type LinearParams } from '@vqrae/nn';
import { check } from '../internal/ops.js';

/**
 * Architecture of the frozen DINO ViT behind `DINO-disc` (spec §7.5). Defaults `DINO_VIT_S8`: patch 8, width 384,
 * depth 12, 6 heads, MLP 1536, LayerNorm eps 1e−6, 224 px, taps after blocks 2, 5, 8, 11 plus the final output.
 */
export interface DinoVitConfig {
  /** Side the input is bilinearly resized to (the learned position table covers (imageSize/patchSize)² + 1). */
  imageSize: number;
  patchSize: number;
  width: number;
  depth: number;
  heads: number;
  mlpHidden: number;
  /** LayerNorm epsilon of norm1/norm2. */
  eps: number;
  /** 0-based block indices whose outputs are tapped (RAE `key_depths`), increasing, each < depth. */
  taps: readonly number[];
  /**
   * MLP activation (default 'gelu_tanh'). RAE's frozen copy of DINO (`MLPNoDrop`) uses the tanh approximation
   * (spec §7.5), although the official DINO network uses exact (erf) GELU; 'gelu' reproduces the original DINO.
   */
  activation?: ActivationName;
}

/** The official DINO ViT-S/8 (`dino_deitsmall8_pretrain.pth`) as RAE's DinoDisc recipe S_8 runs it. */
export const DINO_VIT_S8: DinoVitConfig = Object.freeze({
  imageSize: 224,
  patchSize: 8,
  width: 384,
  depth: 12,
  heads: 6,
  mlpHidden: 1536,
  eps: 1e-6,
  taps: Object.freeze([2, 5, 8, 11]),
  activation: 'gelu_tanh' as const,
});

/** Number of patch tokens (cls excluded) for a config. */
export function dinoTokenCount(config: DinoVitConfig): number {
  return (config.imageSize / config.patchSize) ** 2;
}

/** Throws naming every inconsistent field of a config. */
export function validateDinoVitConfig(config: DinoVitConfig, where: string): void {
  const problems: string[] = [];
  const positiveInt = (name: string, v: number) => {
    if (!Number.isInteger(v) || v < 1) problems.push(`${name} must be a positive integer, got ${v}`);
  };
  positiveInt('imageSize', config.imageSize);
  positiveInt('patchSize', config.patchSize);
  positiveInt('width', config.width);
  positiveInt('depth', config.depth);
  positiveInt('heads', config.heads);
  positiveInt('mlpHidden', config.mlpHidden);
  if (config.imageSize % config.patchSize !== 0) problems.push(`imageSize ${config.imageSize} is not a multiple of patchSize ${config.patchSize}`);
  if (config.width % config.heads !== 0) problems.push(`width ${config.width} is not divisible by heads ${config.heads}`);
  if (!(config.eps > 0)) problems.push(`eps must be > 0, got ${config.eps}`);
  config.taps.forEach((t, i) => {
    if (!Number.isInteger(t) || t < 0 || t >= config.depth) problems.push(`taps[${i}] = ${t} is not a block index in [0, ${config.depth - 1}]`);
    if (i > 0 && t <= (config.taps[i - 1] as number)) problems.push(`taps must be strictly increasing, got [${config.taps.join(', ')}]`);
  });
  check(problems.length === 0, where, () => `invalid DinoVitConfig: ${problems.join('; ')}`);
}

/**
 * Tensor names and shapes of the official DINO checkpoint / timm ViT for a config (PyTorch layouts):
 * `cls_token` [1, 1, D], `pos_embed` [1, N + 1, D], `patch_embed.proj.weight` [D, 3, p, p] (OIHW) + `.bias` [D],
 * per block i: `blocks.{i}.norm1.weight|bias` [D], `blocks.{i}.attn.qkv.weight` [3D, D] + `.bias` [3D] (rows: q, k, v
 * thirds, heads contiguous inside each third), `blocks.{i}.attn.proj.weight` [D, D] + `.bias`, `blocks.{i}.norm2.*`,
 * `blocks.{i}.mlp.fc1.weight` [I, D] + `.bias` [I], `blocks.{i}.mlp.fc2.weight` [D, I] + `.bias` [D];
 * `norm.weight|bias` [D] (the final LayerNorm: required for a strict match with the checkpoint, never applied — see
 * `DinoVit`).
 */
export function dinoVitShapes(config: DinoVitConfig): Record<string, number[]> {
  const d = config.width;
  const shapes: Record<string, number[]> = {
    cls_token: [1, 1, d],
    pos_embed: [1, dinoTokenCount(config) + 1, d],
    'patch_embed.proj.weight': [d, 3, config.patchSize, config.patchSize],
    'patch_embed.proj.bias': [d],
    'norm.weight': [d],
    'norm.bias': [d],
  };
  for (let i = 0; i < config.depth; i++) {
    const p = `blocks.${i}.`;
    Object.assign(shapes, {
      [`${p}norm1.weight`]: [d],
      [`${p}norm1.bias`]: [d],
      [`${p}attn.qkv.weight`]: [3 * d, d],
      [`${p}attn.qkv.bias`]: [3 * d],
      [`${p}attn.proj.weight`]: [d, d],
      [`${p}attn.proj.bias`]: [d],
      [`${p}norm2.weight`]: [d],
      [`${p}norm2.bias`]: [d],
      [`${p}mlp.fc1.weight`]: [config.mlpHidden, d],
      [`${p}mlp.fc1.bias`]: [config.mlpHidden],
      [`${p}mlp.fc2.weight`]: [d, config.mlpHidden],
      [`${p}mlp.fc2.bias`]: [d],
    });
  }
  return shapes;
}

/** LayerNorm affine parameters. */
export interface NormWeights {
  gamma: tf.Tensor1D;
  beta: tf.Tensor1D;
}

/** One pre-norm transformer block in @vqrae/nn layouts. */
export interface DinoBlockWeights {
  norm1: NormWeights;
  /** q, k, v split from attn.qkv (k bias zeroed), o = attn.proj. */
  attention: AttentionParams;
  norm2: NormWeights;
  fc1: LinearParams;
  fc2: LinearParams;
}

/** Everything the forward pass needs (all owned by the DinoVit that holds them). */
export interface DinoVitWeights {
  /** Patch conv as a linear layer on 'c-py-px' patch vectors: [D, 3·p·p]. */
  patchWeight: tf.Tensor2D;
  patchBias: tf.Tensor1D;
  /** [1, 1, D] */
  clsToken: tf.Tensor3D;
  /** [1, N + 1, D] */
  posEmbed: tf.Tensor3D;
  blocks: DinoBlockWeights[];
}

/**
 * Validates `named` strictly against `dinoVitShapes(config)` (one error listing every missing, unexpected and
 * mis-shaped key) and copies the weights into the forward layout. The inputs stay owned by the caller and are
 * never modified.
 *
 * Key bias: the middle (key) third of every `attn.qkv.bias` is replaced by zeros, as spec §7.5 and RAE's DinoDisc
 * loader do. This is exact in real arithmetic — q·(k + b_k) adds the same q·b_k to every score of a query row, and
 * softmax is invariant to that — so it only removes a rounding-error source, never changes the features.
 */
export function copyDinoVitWeights(named: Readonly<Record<string, tf.Tensor>>, config: DinoVitConfig, where: string): DinoVitWeights {
  const expected = dinoVitShapes(config);
  const actual = Object.fromEntries(Object.entries(named).map(([k, t]) => [k, t.shape]));
  const problems = shapeProblems(expected, actual);
  check(problems.length === 0, where, () => `weights do not match the DINO ViT config ${describeDinoConfig(config)}: ${problems.join('; ')}`);
  const get = (key: string) => named[key] as tf.Tensor;
  const d = config.width;
  return tf.tidy(() => {
    const norm = (p: string): NormWeights => ({ gamma: tf.clone(get(`${p}.weight`)) as tf.Tensor1D, beta: tf.clone(get(`${p}.bias`)) as tf.Tensor1D });
    const lin = (p: string): LinearParams => ({ weight: tf.clone(get(`${p}.weight`)), bias: tf.clone(get(`${p}.bias`)) });
    const blocks = Array.from({ length: config.depth }, (_, i): DinoBlockWeights => {
      const p = `blocks.${i}.`;
      const [qw, kw, vw] = tf.split(get(`${p}attn.qkv.weight`), 3, 0); // 3 × [D, D]
      const [qb, , vb] = tf.split(get(`${p}attn.qkv.bias`), 3, 0); // 3 × [D]; the key third is dropped
      return {
        norm1: norm(`${p}norm1`),
        attention: {
          q: { weight: qw as tf.Tensor, bias: qb as tf.Tensor },
          k: { weight: kw as tf.Tensor, bias: tf.zeros([d]) }, // key bias zeroed (see above)
          v: { weight: vw as tf.Tensor, bias: vb as tf.Tensor },
          o: lin(`${p}attn.proj`),
        },
        norm2: norm(`${p}norm2`),
        fc1: lin(`${p}mlp.fc1`),
        fc2: lin(`${p}mlp.fc2`),
      };
    });
    const weights: DinoVitWeights = {
      patchWeight: tf.reshape(get('patch_embed.proj.weight'), [d, 3 * config.patchSize ** 2]), // [D, 3·p·p] (c, py, px)
      patchBias: tf.clone(get('patch_embed.proj.bias')) as tf.Tensor1D,
      clsToken: tf.clone(get('cls_token')) as tf.Tensor3D,
      posEmbed: tf.clone(get('pos_embed')) as tf.Tensor3D,
      blocks,
    };
    return weights as unknown as tf.TensorContainerObject;
  }) as unknown as DinoVitWeights;
}

/** Every tensor of a weight record (for disposal). */
export function dinoWeightTensors(weights: DinoVitWeights): tf.Tensor[] {
  const linear = (l: LinearParams) => (l.bias === undefined ? [l.weight] : [l.weight, l.bias]);
  return [
    weights.patchWeight,
    weights.patchBias,
    weights.clsToken,
    weights.posEmbed,
    ...weights.blocks.flatMap((b) => [
      b.norm1.gamma,
      b.norm1.beta,
      ...linear(b.attention.q),
      ...linear(b.attention.k),
      ...linear(b.attention.v),
      ...linear(b.attention.o),
      b.norm2.gamma,
      b.norm2.beta,
      ...linear(b.fc1),
      ...linear(b.fc2),
    ]),
  ];
}

/** e.g. `ViT p8 w384 d12 h6 mlp1536 @224, taps 2,5,8,11+final, gelu_tanh`. */
export function describeDinoConfig(config: DinoVitConfig): string {
  return (
    `ViT p${config.patchSize} w${config.width} d${config.depth} h${config.heads} mlp${config.mlpHidden} @${config.imageSize}, ` +
    `taps ${config.taps.join(',')}+final, ${config.activation ?? 'gelu_tanh'}`
  );
}
