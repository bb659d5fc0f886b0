/** @vqrae/tokenizer: VQRAE: SigLIP ViT encoder, embedded MobileNetV2 encoder adapter, SimVQ quantizer, ViT decoder, presets, checkpoints. */
export {};
