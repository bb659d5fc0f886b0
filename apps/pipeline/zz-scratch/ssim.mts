import { SsimScorer, SSIM_VARIANTS, uint8Image, psnr } from '@vqrae/eval';
const n = 224 * 224 * 3;
const a = uint8Image(Uint8Array.from({ length: n }, (_, i) => (i * 7) % 256), 224, 224, 3);
const b = uint8Image(Uint8Array.from({ length: n }, (_, i) => (i * 13) % 256), 224, 224, 3);
const all = new SsimScorer(SSIM_VARIANTS);
const one = new SsimScorer({ t: SSIM_VARIANTS.torchmetrics });
for (const [name, s] of [['all5', all], ['one', one]] as const) {
  s.score(a, b); const t = performance.now(); for (let i = 0; i < 10; i++) s.score(a, b); console.log(name, ((performance.now() - t) / 10).toFixed(1), 'ms/image');
}
const t = performance.now(); for (let i = 0; i < 10; i++) psnr(a, b); console.log('psnr', ((performance.now() - t) / 10).toFixed(2), 'ms');
