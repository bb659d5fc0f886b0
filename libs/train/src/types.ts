import type * as tf from '@tensorflow/tfjs-core';

/**
 * One micro-batch handed to the trainer. The trainer owns `images` from the moment it receives the batch and
 * disposes it after the step (the batching stage hands ownership downstream).
 */
export interface TrainBatch {
  /** [B, S, S, 3] float32, pixel01. */
  readonly images: tf.Tensor4D;
  /** WebDataset keys of the samples, in batch order (for error messages). */
  readonly keys: readonly string[];
}

/** Named scalar loss terms of one forward pass; `total` is the weighted sum the gradient is taken of. */
export interface ObjectiveOutput {
  readonly total: tf.Scalar;
  /** Unweighted terms by name, e.g. `pixel_l2`, `vq_commitment`, `vq_codebook`, `distill`. */
  readonly terms: Readonly<Record<string, tf.Scalar>>;
  /** [k] int32/float32 code assignment counts of this micro-batch, when the model quantises. */
  readonly codeCounts?: tf.Tensor1D;
}

/**
 * The loss of one training stage, generic over the model. The trainer calls `prepare` outside the gradient tape
 * (e.g. stage-2 teacher features Z_T, the adaptive GAN weight) and `forward` inside it, both with the 0-based
 * optimizer step and the micro-batch index within the step. Tensors returned by `prepare` are owned by the trainer
 * and disposed after the micro-batch; `forward` must not dispose its inputs.
 */
export interface TrainObjective {
  readonly name: string;
  prepare?(images: tf.Tensor4D, step: number, micro: number): Record<string, tf.Tensor>;
  forward(images: tf.Tensor4D, prepared: Readonly<Record<string, tf.Tensor>>, step: number, micro: number): ObjectiveOutput;
  /** Number of codes k (for batch code-usage logging); 0 when the model does not quantise. */
  readonly codebookSize: number;
  /**
   * Terms reported only on some steps (e.g. the adversarial G term after its start). The per-step log has a fixed
   * column set, so these are declared up front and logged as NaN on steps without them.
   */
  readonly optionalTerms?: readonly string[];
  /** pixel01 reconstruction with the live weights, outside any tape (the discriminator step's fakes). Caller owns. */
  reconstruct?(images: tf.Tensor4D): tf.Tensor4D;
}

/** Where the data stream stands: resuming re-opens the dataset at `epoch` and skips `samplesInEpoch` samples. */
export interface DataPosition {
  readonly epoch: number;
  readonly samplesInEpoch: number;
  /** Samples consumed since the start of the run (all epochs). */
  readonly samplesTotal: number;
}

/** What one optimizer step reports (one row of the per-step log). */
export interface StepRecord {
  readonly step: number;
  readonly epoch: number;
  readonly samplesTotal: number;
  readonly wallSeconds: number;
  /** Learning rate by parameter group name (`base`, `encoder`, …). */
  readonly lr: Readonly<Record<string, number>>;
  readonly gradNorm: number;
  readonly loss: number;
  /** Unweighted loss terms by name, averaged over micro-batches. */
  readonly terms: Readonly<Record<string, number>>;
  /** Distinct codes used in this step's batch(es) and that count over k. */
  readonly codesUsed: number;
  readonly codeUsage: number;
  readonly imagesPerSecond: number;
}
