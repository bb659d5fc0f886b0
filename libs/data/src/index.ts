/** @vqrae/data: WebDataset shards (read/write), sample grouping, shuffling, rank split, sharp image stages, batching to tensors. */
export {};
