/**
 * The held-out table of the shipped checkpoint, by kind of image: joins a `vqrae eval` run's per-image
 * `metrics.arrow` with the training-set manifest (`tools/photos/build-photo-shards.ts`) and prints a Markdown table
 * (images, whole photos, mean PSNR, mean SSIM) for every group and for all held-out images.
 *
 *   node --import tsx tools/photos/heldout-table.ts <eval run folder> [data/photos/manifest.jsonl]
 *
 * Groups: nebula photographs (dark, mostly black sky: they raise a mean PSNR, so they are reported apart), other
 * photographs (Hugin manual photos, Stellarium landscape panoramas and planet maps, MyPaint paper textures) and
 * wallpapers (illustrations).
 */
import fs from 'node:fs';
import path from 'node:path';
import { tableFromIPC } from 'apache-arrow';

interface SampleMeta { key: string; package: string; source: string }

function group(meta: SampleMeta): string {
  if (meta.source.includes('/nebulae/')) return 'nebula photographs';
  if (['hugin-data', 'stellarium-data', 'mypaint-data-extras'].includes(meta.package)) return 'other photographs';
  return 'wallpapers (illustrations)';
}

function main(): void {
  const [runFolder, manifestPath = 'data/photos/manifest.jsonl'] = process.argv.slice(2);
  if (!runFolder) throw new Error('usage: heldout-table.ts <eval run folder> [manifest.jsonl]');
  const metas = new Map<string, SampleMeta>();
  for (const line of fs.readFileSync(manifestPath, 'utf8').split('\n')) {
    if (line.trim()) {
      const meta = JSON.parse(line) as SampleMeta;
      metas.set(meta.key, meta);
    }
  }
  const table = tableFromIPC(fs.readFileSync(path.join(runFolder, 'metrics.arrow')));
  const rows = new Map<string, { n: number; psnr: number; ssim: number; sources: Set<string> }>();
  const add = (name: string, psnr: number, ssim: number, source: string): void => {
    const row = rows.get(name) ?? { n: 0, psnr: 0, ssim: 0, sources: new Set<string>() };
    row.n += 1;
    row.psnr += psnr;
    row.ssim += ssim;
    row.sources.add(source);
    rows.set(name, row);
  };
  for (let i = 0; i < table.numRows; i++) {
    const key = String(table.getChild('key')?.get(i));
    const meta = metas.get(key);
    if (!meta) throw new Error(`heldout-table: ${key} (row ${i} of ${runFolder}/metrics.arrow) is not in ${manifestPath}`);
    const psnr = Number(table.getChild('psnr')?.get(i));
    const ssim = Number(table.getChild('ssim')?.get(i));
    add(group(meta), psnr, ssim, meta.source);
    add('all held-out', psnr, ssim, meta.source);
  }
  console.log('| held-out images | crops | whole photos | PSNR (dB) | SSIM[torchmetrics] |');
  console.log('|---|---:|---:|---:|---:|');
  for (const name of ['other photographs', 'wallpapers (illustrations)', 'nebula photographs', 'all held-out']) {
    const row = rows.get(name);
    if (row) console.log(`| ${name} | ${row.n} | ${row.sources.size} | ${(row.psnr / row.n).toFixed(2)} | ${(row.ssim / row.n).toFixed(3)} |`);
  }
}

main();
