/**
 * Boundary validation of VQRAE configs read from JSON (checkpoint metadata, user files). Inside the library the
 * typed records are trusted.
 */
import type {
  Activation,
  DecoderConfig,
  EncoderConfig,
  SiglipEncoderConfig,
  QuantizerConfig,
  VqraeConfig,
} from './types.js';

type Json = Record<string, unknown>;

function object(value: unknown, where: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`vqrae config: ${where} must be an object`);
  }
  return value as Json;
}

function positiveInt(source: Json, key: string, where: string): number {
  const value = source[key];
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new Error(`vqrae config: ${where}.${key} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

function positiveNumber(source: Json, key: string, where: string): number {
  const value = source[key];
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) {
    throw new Error(`vqrae config: ${where}.${key} must be a positive number, got ${JSON.stringify(value)}`);
  }
  return value;
}

function string(source: Json, key: string, where: string): string {
  const value = source[key];
  if (typeof value !== 'string') throw new Error(`vqrae config: ${where}.${key} must be a string`);
  return value;
}

function activation(source: Json, key: string, where: string): Activation {
  const value = source[key];
  if (value !== 'gelu' && value !== 'gelu_tanh') {
    throw new Error(`vqrae config: ${where}.${key} must be 'gelu' or 'gelu_tanh', got ${JSON.stringify(value)}`);
  }
  return value;
}

function divisible(a: number, b: number, what: string): void {
  if (a % b !== 0) throw new Error(`vqrae config: ${what} (${a} is not divisible by ${b})`);
}

/** Validates an encoder config record. */
export function parseEncoderConfig(value: unknown): EncoderConfig {
  const source = object(value, 'encoder');
  const kind = source.kind;
  if (kind === 'siglip-vit') {
    const config: SiglipEncoderConfig = {
      kind,
      imageSize: positiveInt(source, 'imageSize', 'encoder'),
      patchSize: positiveInt(source, 'patchSize', 'encoder'),
      numChannels: 3 as const,
      hiddenSize: positiveInt(source, 'hiddenSize', 'encoder'),
      numLayers: positiveInt(source, 'numLayers', 'encoder'),
      numHeads: positiveInt(source, 'numHeads', 'encoder'),
      intermediateSize: positiveInt(source, 'intermediateSize', 'encoder'),
      activation: activation(source, 'activation', 'encoder'),
      layerNormEps: positiveNumber(source, 'layerNormEps', 'encoder'),
      postLnAffine: source.postLnAffine !== false,
    };
    if (source.numChannels !== undefined && source.numChannels !== 3) {
      throw new Error(`vqrae config: encoder.numChannels must be 3, got ${JSON.stringify(source.numChannels)}`);
    }
    divisible(config.imageSize, config.patchSize, 'encoder.imageSize must be a multiple of encoder.patchSize');
    divisible(config.hiddenSize, config.numHeads, 'encoder.hiddenSize must be a multiple of encoder.numHeads');
    return config;
  }
  if (kind === 'mobilenetv2-imagenet-stride16') {
    const src = object(source.source, 'encoder.source');
    if (src.package !== 'nsfwjs' || src.model !== 'MobileNetV2') {
      throw new Error(`vqrae config: encoder.source must name package 'nsfwjs' model 'MobileNetV2'`);
    }
    if (source.imageSize !== undefined && source.imageSize !== 224) {
      throw new Error(`vqrae config: the MobileNetV2 adapter runs at 224 px, got ${JSON.stringify(source.imageSize)}`);
    }
    if (source.layer !== undefined && source.layer !== 'block_13_expand_relu') {
      throw new Error(`vqrae config: unsupported MobileNetV2 layer ${JSON.stringify(source.layer)}`);
    }
    return {
      kind,
      imageSize: 224,
      layer: 'block_13_expand_relu',
      source: { package: 'nsfwjs', model: 'MobileNetV2', version: string(src, 'version', 'encoder.source'), sha256: string(src, 'sha256', 'encoder.source') },
    };
  }
  throw new Error(`vqrae config: unknown encoder.kind ${JSON.stringify(kind)} (expected 'siglip-vit' or 'mobilenetv2-imagenet-stride16')`);
}

/** The quantizer kind as written: absent stays absent (a SimVQ config then serialises exactly as before `kind` existed). */
function quantizerKind(source: Json): Pick<QuantizerConfig, 'kind'> {
  const kind = source.kind;
  if (kind === undefined) return {};
  if (kind !== 'simvq' && kind !== 'vq') {
    throw new Error(`vqrae config: quantizer.kind must be 'simvq' or 'vq', got ${JSON.stringify(kind)}`);
  }
  return { kind };
}

/** Validates a quantizer config record. */
export function parseQuantizerConfig(value: unknown): QuantizerConfig {
  const source = object(value, 'quantizer');
  const codebookDim = positiveInt(source, 'codebookDim', 'quantizer');
  const beta = source.beta === undefined ? 0.25 : positiveNumber(source, 'beta', 'quantizer');
  return {
    ...quantizerKind(source),
    codebookSize: positiveInt(source, 'codebookSize', 'quantizer'),
    codebookDim,
    beta,
    codebookInitStd: source.codebookInitStd === undefined ? codebookDim ** -0.5 : positiveNumber(source, 'codebookInitStd', 'quantizer'),
  };
}

/** Validates a decoder config record. */
export function parseDecoderConfig(value: unknown): DecoderConfig {
  const source = object(value, 'decoder');
  const config: DecoderConfig = {
    hiddenSize: positiveInt(source, 'hiddenSize', 'decoder'),
    numLayers: positiveInt(source, 'numLayers', 'decoder'),
    numHeads: positiveInt(source, 'numHeads', 'decoder'),
    intermediateSize: positiveInt(source, 'intermediateSize', 'decoder'),
    patchSize: positiveInt(source, 'patchSize', 'decoder'),
    activation: activation(source, 'activation', 'decoder'),
    layerNormEps: positiveNumber(source, 'layerNormEps', 'decoder'),
  };
  divisible(config.hiddenSize, config.numHeads, 'decoder.hiddenSize must be a multiple of decoder.numHeads');
  divisible(config.hiddenSize, 4, 'decoder.hiddenSize must be a multiple of 4 (2-D sin-cos table)');
  return config;
}

/** Validates a whole VQRAE config (e.g. from checkpoint metadata); throws one message naming the bad field. */
export function parseVqraeConfig(value: unknown): VqraeConfig {
  const source = object(value, 'root');
  if (source.format !== 'vqrae/1') {
    throw new Error(`vqrae config: unsupported format ${JSON.stringify(source.format)} (expected 'vqrae/1')`);
  }
  return {
    format: 'vqrae/1',
    preset: typeof source.preset === 'string' ? source.preset : 'custom',
    encoder: parseEncoderConfig(source.encoder),
    quantizer: parseQuantizerConfig(source.quantizer),
    decoder: parseDecoderConfig(source.decoder),
  };
}
