/** @vqrae/data: WebDataset shards (read/write), sample grouping, shuffling, rank split, sharp image stages, batching to tensors. */
export { createRng, hashSeed, shuffleInPlace, type Rng } from './random.js';
export { collectingReporter, consoleReporter, type ShardSample, type SkipReporter } from './sample.js';
export { expandShardSpec, isUrl } from './shards/spec.js';
export { isGzipShard, openShardStream } from './shards/open-shard.js';
export { parseMemberName, unsafePathReason, type MemberName } from './shards/member-name.js';
export { readShard, SHARD_STAGE, type ReadShardOptions } from './shards/read-shard.js';
export { checkSplit, epochShards, resampledShards, shuffleBuffer, type ShuffleBufferConfig, type SplitPosition } from './shards/ordering.js';
export { DatasetSpec, type DatasetConfig, type OpenedDataset, type OpenOptions, type ReadStats } from './shards/dataset.js';
export { formatShardPath, ShardWriter, type ShardWriterOptions, type WritableSample, type WrittenShard } from './shards/writer.js';
export { IMAGE_EXTENSIONS, listImageFiles, packImages, SIDE_EXTENSIONS, type ImageFile, type PackImagesOptions } from './shards/pack-images.js';
export { CROP_PROTOCOLS, type Background, type CropProtocol, type CropSpec, type RgbImage } from './image/types.js';
export { planCrop, pythonRound, type CropPlan, type Window } from './image/crop-geometry.js';
export { cropRgb, pilResize, type PilFilter } from './image/pil-resample.js';
export { cropImage, DEFAULT_LIMIT_INPUT_PIXELS, loadImage, type LoadImageOptions } from './image/load-image.js';
export { mapOrdered, type Settled } from './image/ordered-map.js';
export { cropImages, decodeImages, DEFAULT_IMAGE_MEMBERS, describeCrop, type CropImagesConfig, type DecodeImagesConfig, type ImageSample } from './image/stages.js';
export { batchImages, imagesToTensor, type BatchImagesConfig, type ImageBatch, type PixelRange } from './batch/batch-images.js';
export { checkShards, listingOf, type BadSample, type CheckReport, type CheckShardsOptions, type SampleListing } from './inspect.js';
