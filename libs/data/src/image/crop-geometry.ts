import { createRng } from '../random.js';
import type { CropSpec } from './types.js';

/**
 * Where a crop protocol takes its pixels from, in oriented source coordinates: an optional number of exact 2×
 * box halvings first (ADM), then a resize of the whole (halved) image to `resize`, then the `window` of the resized
 * image; or, for `random-resized`, a `sourceWindow` that is cut first and resized to the output.
 */
export interface CropPlan {
  /** Box halvings (`w, h ← floor(w/2), floor(h/2)`), applied before anything else. */
  readonly halvings: number;
  /** Source window cut before resizing (random-resized), or undefined for the whole image. */
  readonly sourceWindow?: Window;
  /** Size the (halved, windowed) image is resized to. */
  readonly resize: { readonly width: number; readonly height: number };
  /** Output window of the resized image. */
  readonly window: Window;
}

export interface Window {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/** Python 3 `round()`: halves go to the even neighbour (torchvision and ADM code round with it). */
export function pythonRound(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** Plans the crop of a `width`×`height` (already EXIF-oriented) image; `key` seeds the random protocols. */
export function planCrop(spec: CropSpec, width: number, height: number, key: string): CropPlan {
  const S = spec.size;
  if (!Number.isInteger(S) || S < 1) throw new Error(`crop: size must be a positive integer, got ${S}`);
  const centered = (w: number, h: number, offset: (gap: number) => number): Window => ({
    left: offset(w - S),
    top: offset(h - S),
    width: S,
    height: S,
  });
  switch (spec.protocol) {
    case 'exact':
      return { halvings: 0, resize: { width: S, height: S }, window: { left: 0, top: 0, width: S, height: S } };
    case 'center': {
      // torchvision Resize(S): short side → S, long side int(S·long/short); CenterCrop: round((L − S) / 2)
      const resize = shortSideTo(width, height, S, Math.floor);
      return { halvings: 0, resize, window: centered(resize.width, resize.height, (gap) => pythonRound(gap / 2)) };
    }
    case 'adm': {
      let w = width;
      let h = height;
      let halvings = 0;
      while (Math.min(w, h) >= 2 * S) {
        w = Math.floor(w / 2);
        h = Math.floor(h / 2);
        halvings += 1;
      }
      const scale = S / Math.min(w, h);
      const resize = { width: pythonRound(w * scale), height: pythonRound(h * scale) };
      return { halvings, resize, window: centered(resize.width, resize.height, (gap) => Math.floor(gap / 2)) };
    }
    case 'random-crop': {
      if (spec.resizeTo < S) throw new Error(`crop: random-crop resizeTo ${spec.resizeTo} is below size ${S}`);
      const resize = shortSideTo(width, height, spec.resizeTo, Math.floor);
      const rng = createRng(spec.seed, 'random-crop', key);
      const left = rng.int(resize.width - S + 1);
      const top = rng.int(resize.height - S + 1);
      return { halvings: 0, resize, window: { left, top, width: S, height: S } };
    }
    case 'random-resized': {
      const sourceWindow = randomResizedWindow(width, height, key, spec.seed, spec.scale ?? { min: 0.08, max: 1 }, spec.ratio ?? { min: 3 / 4, max: 4 / 3 });
      return { halvings: 0, sourceWindow, resize: { width: S, height: S }, window: { left: 0, top: 0, width: S, height: S } };
    }
  }
}

function shortSideTo(width: number, height: number, side: number, round: (x: number) => number): { width: number; height: number } {
  return width <= height
    ? { width: side, height: Math.max(side, round((side * height) / width)) }
    : { width: Math.max(side, round((side * width) / height)), height: side };
}

/** torchvision RandomResizedCrop.get_params with a seeded generator (10 tries, then a clamped-ratio centre crop). */
function randomResizedWindow(
  width: number,
  height: number,
  key: string,
  seed: number,
  scale: { min: number; max: number },
  ratio: { min: number; max: number },
): Window {
  const rng = createRng(seed, 'random-resized', key);
  const area = width * height;
  const logMin = Math.log(ratio.min);
  const logMax = Math.log(ratio.max);
  for (let attempt = 0; attempt < 10; attempt++) {
    const target = area * rng.uniform(scale.min, scale.max);
    const aspect = Math.exp(rng.uniform(logMin, logMax));
    const w = Math.round(Math.sqrt(target * aspect));
    const h = Math.round(Math.sqrt(target / aspect));
    if (w > 0 && h > 0 && w <= width && h <= height) {
      return { left: rng.int(width - w + 1), top: rng.int(height - h + 1), width: w, height: h };
    }
  }
  const inRatio = width / height;
  const w = inRatio < ratio.min ? width : inRatio > ratio.max ? Math.round(height * ratio.max) : width;
  const h = inRatio < ratio.min ? Math.round(width / ratio.min) : inRatio > ratio.max ? height : height;
  return { left: Math.floor((width - w) / 2), top: Math.floor((height - h) / 2), width: w, height: h };
}
