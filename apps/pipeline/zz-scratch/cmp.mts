import fs from 'node:fs';
import { tableFromIPC } from 'apache-arrow';
const a = tableFromIPC(fs.readFileSync('/tmp/evs/single-encoder/metrics.arrow'));
const b = tableFromIPC(fs.readFileSync('/tmp/evs/metrics-run/metrics.arrow'));
const prev = JSON.parse(fs.readFileSync('/tmp/evs/single-encoder/previews/previews.json', 'utf8')).previews;
for (let i = 0; i < b.numRows; i++) {
  const k = String(b.getChild('key')!.get(i)); const p = prev[Number(k)];
  const j = [...a.getChild('key')!.toArray()].indexOf(p.key);
  console.log(k, p.key, b.getChild('psnr')!.get(i) === a.getChild('psnr')!.get(j), b.getChild('ssim_skimage')!.get(i) === a.getChild('ssim_skimage')!.get(j));
}
