/** @vqrae/eval: PSNR, SSIM, FID (FID-Inception + Frechet distance), codebook statistics, Arrow metric sinks, reports. */
export {};
