#!/usr/bin/env node
// Generates the demo images in assets/images/ procedurally (SVG scenes rendered by sharp/librsvg, seeded, no
// external inputs), so they are original works released with the repository. Run: node assets/generate-images.mjs
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { mulberry32 } from '../tools/testing/mulberry32.mjs';

const W = 500;
const H = 375;
const outDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'images');

const rng = mulberry32;
const hsl = (h, s, l) => `hsl(${h.toFixed(0)},${s.toFixed(0)}%,${l.toFixed(0)}%)`;
const grad = (id, stops, vertical = true) =>
  `<linearGradient id="${id}" x1="0" y1="0" x2="${vertical ? 0 : 1}" y2="${vertical ? 1 : 0}">${stops
    .map(([o, c]) => `<stop offset="${o}" stop-color="${c}"/>`)
    .join('')}</linearGradient>`;
const ridge = (r, base, amp, step) => {
  let d = `M0 ${H} L0 ${base}`;
  let y = base;
  for (let x = 0; x <= W; x += step) {
    y = Math.min(H - 10, Math.max(40, y + (r() - 0.5) * amp));
    d += ` L${x} ${y.toFixed(1)}`;
  }
  return `${d} L${W} ${H} Z`;
};

const scenes = {
  'sunset-mountains': (r) => `
    <defs>${grad('sky', [[0, '#2b1055'], [0.55, '#d53369'], [1, '#ffb347']])}</defs>
    <rect width="${W}" height="${H}" fill="url(#sky)"/>
    <circle cx="330" cy="215" r="55" fill="#ffe29a"/>
    <path d="${ridge(r, 230, 40, 20)}" fill="#5b2a6e"/>
    <path d="${ridge(r, 280, 30, 15)}" fill="#3a1c4a"/>
    <path d="${ridge(r, 320, 16, 10)}" fill="#1d0f26"/>`,
  'ocean-waves': (r) => `
    <defs>${grad('sky', [[0, '#8fd3f4'], [1, '#e0f7ff']])}${grad('sea', [[0, '#1fa2ff'], [1, '#0b3d91']])}</defs>
    <rect width="${W}" height="${H}" fill="url(#sky)"/>
    <rect y="170" width="${W}" height="${H - 170}" fill="url(#sea)"/>
    ${Array.from({ length: 14 }, (_, i) => {
      const y = 180 + i * 14;
      let d = `M0 ${y}`;
      for (let x = 0; x <= W; x += 25) d += ` Q${x + 12} ${y - 6 - r() * 5} ${x + 25} ${y}`;
      return `<path d="${d}" stroke="rgba(255,255,255,${(0.25 + r() * 0.5).toFixed(2)})" stroke-width="2" fill="none"/>`;
    }).join('')}
    <ellipse cx="120" cy="70" rx="70" ry="22" fill="#fff" opacity="0.9"/>
    <ellipse cx="170" cy="60" rx="50" ry="20" fill="#fff" opacity="0.9"/>`,
  'pine-forest': (r) => `
    <defs>${grad('sky', [[0, '#a8e063'], [1, '#f6f6d5']])}</defs>
    <rect width="${W}" height="${H}" fill="url(#sky)"/>
    <rect y="300" width="${W}" height="75" fill="#3e5c1e"/>
    ${Array.from({ length: 28 }, () => {
      const x = r() * W;
      const h = 90 + r() * 160;
      const base = 300 + r() * 60;
      const c = hsl(100 + r() * 50, 45 + r() * 30, 18 + r() * 20);
      return `<rect x="${x - 4}" y="${base - 12}" width="8" height="14" fill="#5d3a1a"/><polygon points="${x},${base - h} ${x - h / 4},${base - 10} ${x + h / 4},${base - 10}" fill="${c}"/>`;
    }).join('')}`,
  'city-night': (r) => `
    <defs>${grad('sky', [[0, '#0f2027'], [0.6, '#203a43'], [1, '#2c5364']])}</defs>
    <rect width="${W}" height="${H}" fill="url(#sky)"/>
    <circle cx="420" cy="70" r="28" fill="#f4f1c9"/>
    ${Array.from({ length: 16 }, (_, i) => {
      const w = 25 + r() * 20;
      const x = i * 32 - 5;
      const h = 90 + r() * 200;
      let windows = '';
      for (let wy = H - h + 8; wy < H - 10; wy += 14) {
        for (let wx = x + 4; wx < x + w - 6; wx += 9) {
          if (r() < 0.45) windows += `<rect x="${wx.toFixed(1)}" y="${wy.toFixed(1)}" width="5" height="7" fill="${r() < 0.8 ? '#ffd66b' : '#7ad7f0'}"/>`;
        }
      }
      return `<rect x="${x}" y="${H - h}" width="${w}" height="${h}" fill="${hsl(210, 20, 8 + r() * 12)}"/>${windows}`;
    }).join('')}`,
  'bubbles': (r) => `
    <rect width="${W}" height="${H}" fill="#fdf6e3"/>
    ${Array.from({ length: 60 }, () => `<circle cx="${(r() * W).toFixed(1)}" cy="${(r() * H).toFixed(1)}" r="${(8 + r() * 55).toFixed(1)}" fill="${hsl(r() * 360, 70 + r() * 25, 45 + r() * 20)}" opacity="${(0.45 + r() * 0.45).toFixed(2)}"/>`).join('')}`,
  'desert-dunes': (r) => `
    <defs>${grad('sky', [[0, '#f7971e'], [1, '#ffd200']])}</defs>
    <rect width="${W}" height="${H}" fill="url(#sky)"/>
    <circle cx="90" cy="80" r="35" fill="#fff4c2"/>
    ${[0, 1, 2, 3].map((i) => {
      const base = 190 + i * 45;
      let d = `M0 ${H} L0 ${base}`;
      for (let x = 0; x <= W; x += 50) d += ` Q${x + 25} ${base - 30 - r() * 30} ${x + 50} ${base + (r() - 0.5) * 20}`;
      return `<path d="${d} L${W} ${H} Z" fill="${hsl(30 - i * 4, 70, 55 - i * 8)}"/>`;
    }).join('')}
    <g fill="#2f5d2f"><rect x="380" y="200" width="10" height="70"/><rect x="368" y="220" width="8" height="30"/><rect x="394" y="212" width="8" height="28"/></g>`,
  'flower-field': (r) => `
    <defs>${grad('sky', [[0, '#74ebd5'], [1, '#acb6e5']])}</defs>
    <rect width="${W}" height="${H}" fill="url(#sky)"/>
    <rect y="170" width="${W}" height="205" fill="#4caf50"/>
    ${Array.from({ length: 90 }, () => {
      const x = r() * W;
      const y = 180 + r() * 190;
      const s = 3 + ((y - 170) / 205) * 9;
      const c = hsl([0, 45, 300, 200, 30][Math.floor(r() * 5)], 85, 60);
      return [0, 72, 144, 216, 288].map((a) => `<circle cx="${(x + Math.cos((a * Math.PI) / 180) * s).toFixed(1)}" cy="${(y + Math.sin((a * Math.PI) / 180) * s).toFixed(1)}" r="${(s * 0.7).toFixed(1)}" fill="${c}"/>`).join('') + `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="${(s * 0.5).toFixed(1)}" fill="#ffeb3b"/>`;
    }).join('')}`,
  'stained-glass': (r) => `
    <rect width="${W}" height="${H}" fill="#222"/>
    ${Array.from({ length: 12 }, (_, gx) => Array.from({ length: 9 }, (_, gy) => {
      const x = gx * 42 + (r() - 0.5) * 10;
      const y = gy * 42 + (r() - 0.5) * 10;
      return `<polygon points="${x},${y} ${x + 44},${y + r() * 8} ${x + 40 + r() * 6},${y + 44} ${x + r() * 6},${y + 40}" fill="${hsl(r() * 360, 80, 50)}" stroke="#111" stroke-width="3"/>`;
    }).join('')).join('')}`,
  'aurora': (r) => `
    <defs>${grad('sky', [[0, '#000428'], [1, '#004e92']])}</defs>
    <rect width="${W}" height="${H}" fill="url(#sky)"/>
    ${Array.from({ length: 120 }, () => `<circle cx="${(r() * W).toFixed(1)}" cy="${(r() * H * 0.7).toFixed(1)}" r="${(0.5 + r() * 1.5).toFixed(1)}" fill="#fff"/>`).join('')}
    ${[0, 1, 2].map((i) => {
      let d = `M0 ${120 + i * 30}`;
      for (let x = 0; x <= W; x += 60) d += ` Q${x + 30} ${60 + r() * 120 + i * 20} ${x + 60} ${110 + r() * 60 + i * 30}`;
      return `<path d="${d}" stroke="${hsl(120 + i * 40, 90, 55)}" stroke-width="${18 - i * 4}" fill="none" opacity="0.55"/>`;
    }).join('')}
    <path d="${ridge(r, 320, 20, 12)}" fill="#02111f"/>`,
  'harbour-boats': (r) => `
    <defs>${grad('sky', [[0, '#ffecd2'], [1, '#fcb69f']])}${grad('sea', [[0, '#2193b0'], [1, '#6dd5ed']])}</defs>
    <rect width="${W}" height="${H}" fill="url(#sky)"/>
    <rect y="230" width="${W}" height="145" fill="url(#sea)"/>
    ${Array.from({ length: 6 }, (_, i) => {
      const x = 40 + i * 78 + r() * 20;
      const y = 240 + r() * 90;
      const c = hsl(r() * 360, 75, 50);
      return `<path d="M${x - 30} ${y} L${x + 30} ${y} L${x + 20} ${y + 14} L${x - 20} ${y + 14} Z" fill="${c}"/><rect x="${x - 1}" y="${y - 55}" width="2" height="55" fill="#333"/><polygon points="${x + 1},${y - 52} ${x + 28},${y - 6} ${x + 1},${y - 6}" fill="#fff"/>`;
    }).join('')}`,
};

fs.mkdirSync(outDir, { recursive: true });
let seed = 2024;
let total = 0;
for (const [name, scene] of Object.entries(scenes)) {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">${scene(rng(seed++))}</svg>`;
  const file = path.join(outDir, `${name}.jpg`);
  await sharp(Buffer.from(svg)).flatten({ background: '#000' }).jpeg({ quality: 88, chromaSubsampling: '4:2:0' }).toFile(file);
  total += fs.statSync(file).size;
  console.log(`${file} ${fs.statSync(file).size} bytes`);
}
console.log(`total ${(total / 1024).toFixed(0)} KiB`);
