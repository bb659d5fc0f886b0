/** @vqrae/eval: PSNR, SSIM, FID (FID-Inception + Frechet distance), codebook statistics, Arrow metric sinks, reports. */
export * from './metrics/host-image.js';
export * from './metrics/running-mean.js';
export * from './metrics/psnr.js';
export * from './metrics/codebook-usage.js';
export * from './metrics/ssim/separable-filter.js';
export * from './metrics/ssim/ssim-variants.js';
export * from './metrics/ssim/ssim.js';
export * from './stats/feature-moments.js';
export * from './stats/symmetric-eigen.js';
export * from './stats/tridiagonal-ql.js';
export * from './stats/frechet-distance.js';
export * from './stats/npy.js';
export * from './stats/npz.js';
export * from './stats/stats-file.js';
export * from './fid/index.js';
