import { assertSameShape, hostImageBytes, type HostImage } from './host-image.js';

/** Floor of the MSE before the logarithm (RAE ref_iqa): identical images score 100 dB instead of +∞. */
export const PSNR_MIN_MSE = 1e-10;

/**
 * PSNR of one image pair in dB, model-spec §8.2: both images are taken as uint8 (pixel01 floats are rounded with
 * `toUint8Pixels`), MSE = mean over H, W, C of (a/255 − b/255)², clamped at 1e−10, PSNR = −10·log10(MSE).
 * Report the mean of per-image values over a set (`RunningMean`), never the PSNR of the mean MSE.
 */
export function psnr(a: HostImage, b: HostImage): number {
  assertSameShape(a, b, 'psnr');
  const pa = hostImageBytes(a);
  const pb = hostImageBytes(b);
  let sumSquares = 0; // exact: integer squares summed well below 2^53
  for (let i = 0; i < pa.length; i++) {
    const d = pa[i] - pb[i];
    sumSquares += d * d;
  }
  const mse = Math.max(sumSquares / (pa.length * 255 * 255), PSNR_MIN_MSE);
  return -10 * Math.log10(mse);
}
