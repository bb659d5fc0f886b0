/**
 * Builds the small-cpu training set from photographs shipped in Debian packages (issue 15), offline apart from apt:
 *
 *   node --import tsx tools/photos/build-photo-shards.ts [--out data/photos] [--cache .cache/photo-packages]
 *
 * 1. `apt-get download` each package of `photo-sources.ts` into the cache (skipped when the .deb is there) and
 *    unpack it with `dpkg -x`.
 * 2. Every matching image whose shorter side is ≥ 224 px is a source photo. Whole photos are held out: per package,
 *    every 8th source (sorted by path, offset 3) goes to the held-out split when the package has ≥ 4 sources.
 * 3. Training sources are cut into seeded random square crops (side 30–100% of the shorter side, position uniform,
 *    count growing with the source's area, 10–120), held-out sources into their centre square plus 3 random crops;
 *    every crop is resized to 256² (Lanczos3) and stored as JPEG q95. Crops that are mostly transparent (panorama
 *    skies) or flat are redrawn (at most 4 tries).
 * 4. Training crops are shuffled (seed 0) into `train-%06d.tar` (1000 per shard), held-out crops go to
 *    `heldout-000000.tar`; each sample has `.jpg` and `.json` (package, version, licence, source path, crop box).
 *    `manifest.jsonl` has one line per sample, `sources.json` the packages (version, sha256 of the .deb, licences).
 *
 * The output is deterministic for the same package versions. Refuses to write into a non-empty --out without --force.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { ShardWriter } from '@vqrae/data';
import { Rng } from '@vqrae/nn';
import { PHOTO_PACKAGES, RESERVED_PACKAGES, type PhotoPackage } from './photo-sources.js';
import { packageLicences, licenceForPath } from './debian-copyright.js';

const SIZE = 256;
const MIN_SIDE = 224;
const HELD_OUT_EVERY = 8;
const HELD_OUT_OFFSET = 3;
const PER_SHARD = 1000;

interface Args { out: string; cache: string; force: boolean }

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { out: 'data/photos', cache: '.cache/photo-packages', force: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--out') args.out = argv[++i] ?? '';
    else if (flag === '--cache') args.cache = argv[++i] ?? '';
    else if (flag === '--force') args.force = true;
    else throw new Error(`build-photo-shards: unknown argument '${flag}' (known: --out, --cache, --force)`);
  }
  return args;
}

interface UnpackedPackage { readonly spec: PhotoPackage; readonly version: string; readonly debSha256: string; readonly root: string }

function fetchPackage(spec: PhotoPackage, cache: string): UnpackedPackage {
  if (RESERVED_PACKAGES.includes(spec.name)) throw new Error(`build-photo-shards: ${spec.name} is reserved for held-out evaluation`);
  fs.mkdirSync(cache, { recursive: true });
  const findDeb = (): string | undefined => fs.readdirSync(cache).find((f) => f.startsWith(`${spec.name}_`) && f.endsWith('.deb'));
  if (!findDeb()) execFileSync('apt-get', ['download', spec.name], { cwd: cache, stdio: ['ignore', 'ignore', 'inherit'] });
  const deb = findDeb();
  if (!deb) throw new Error(`build-photo-shards: apt-get download ${spec.name} left no .deb in ${cache}`);
  const version = decodeURIComponent(deb.split('_')[1] ?? '?');
  const root = path.join(cache, 'unpacked', spec.name);
  if (!fs.existsSync(root)) {
    fs.mkdirSync(root, { recursive: true });
    execFileSync('dpkg', ['-x', path.join(cache, deb), root]);
  }
  const debSha256 = crypto.createHash('sha256').update(fs.readFileSync(path.join(cache, deb))).digest('hex');
  return { spec, version, debSha256, root };
}

function listFiles(root: string, dir = ''): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...listFiles(root, rel));
    else if (entry.isFile()) out.push(rel);
  }
  return out.sort();
}

interface Source { readonly pkg: UnpackedPackage; readonly rel: string; readonly width: number; readonly height: number; readonly licence: string; split: 'train' | 'heldout'; readonly index: number }

async function listSources(pkg: UnpackedPackage): Promise<Omit<Source, 'index' | 'split'>[]> {
  const copyright = path.join(pkg.root, 'usr/share/doc', pkg.spec.name, 'copyright');
  const stanzas = fs.existsSync(copyright) ? packageLicences(fs.readFileSync(copyright, 'utf8')) : [];
  const found: Omit<Source, 'index' | 'split'>[] = [];
  for (const rel of listFiles(pkg.root)) {
    if (!pkg.spec.include.test(rel) || pkg.spec.exclude?.test(rel)) continue;
    const meta = await sharp(path.join(pkg.root, rel)).metadata().catch(() => undefined);
    if (!meta?.width || !meta.height || Math.min(meta.width, meta.height) < MIN_SIDE) continue;
    found.push({ pkg, rel, width: meta.width, height: meta.height, licence: licenceForPath(stanzas, rel) });
  }
  found.sort((a, b) => b.width * b.height - a.width * a.height || a.rel.localeCompare(b.rel));
  return found.slice(0, pkg.spec.maxSources ?? found.length).sort((a, b) => a.rel.localeCompare(b.rel));
}

interface Crop { readonly key: string; readonly jpg: Buffer; readonly meta: Record<string, unknown> }

async function cutCrops(source: Source): Promise<Crop[]> {
  const { data, info } = await sharp(path.join(source.pkg.root, source.rel)).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const raw = { width: info.width, height: info.height, channels: 4 as const };
  const rng = new Rng(0x9e37 + source.index * 7919);
  const shortSide = Math.min(info.width, info.height);
  const wanted = source.split === 'heldout' ? 4 : Math.max(10, Math.min(120, Math.round((20 * info.width * info.height) / (1024 * 1024))));
  const crops: Crop[] = [];
  for (let c = 0; c < wanted; c++) {
    for (let attempt = 0; attempt < 4; attempt++) {
      const centre = source.split === 'heldout' && c === 0 && attempt === 0;
      const side = centre ? shortSide : Math.max(MIN_SIDE, Math.round(shortSide * (0.3 + 0.7 * rng.uniform())));
      const left = centre ? Math.floor((info.width - side) / 2) : rng.int(info.width - side + 1);
      const top = centre ? Math.floor((info.height - side) / 2) : rng.int(info.height - side + 1);
      const rgba = await sharp(data, { raw }).extract({ left, top, width: side, height: side }).resize(SIZE, SIZE, { kernel: 'lanczos3' }).raw().toBuffer();
      if (!usable(rgba)) continue;
      const rgb = await sharp(rgba, { raw: { width: SIZE, height: SIZE, channels: 4 } }).removeAlpha().jpeg({ quality: 95 }).toBuffer();
      const key = `${source.split}-${source.pkg.spec.tag}${String(source.index).padStart(4, '0')}-${String(c).padStart(3, '0')}`;
      crops.push({
        key, jpg: rgb,
        meta: { key, split: source.split, package: source.pkg.spec.name, version: source.pkg.version, licence: source.licence, source: `/${source.rel}`, sourceSize: [info.width, info.height], box: { left, top, width: side, height: side }, size: SIZE },
      });
      break;
    }
  }
  return crops;
}

/** Mostly opaque (≥ 95% of pixels with alpha ≥ 250) and not flat (luma std ≥ 2/255). */
function usable(rgba: Buffer): boolean {
  let opaque = 0, sum = 0, sum2 = 0;
  const n = rgba.length / 4;
  for (let i = 0; i < rgba.length; i += 4) {
    if (rgba[i + 3]! >= 250) opaque++;
    const y = 0.299 * rgba[i]! + 0.587 * rgba[i + 1]! + 0.114 * rgba[i + 2]!;
    sum += y;
    sum2 += y * y;
  }
  const std = Math.sqrt(Math.max(0, sum2 / n - (sum / n) ** 2));
  return opaque >= 0.95 * n && std >= 2;
}

async function writeShards(pattern: string, crops: readonly Crop[]): Promise<string[]> {
  const writer = new ShardWriter({ pattern, maxSamples: PER_SHARD });
  for (const crop of crops) await writer.write({ key: crop.key, files: { jpg: crop.jpg, json: Buffer.from(JSON.stringify(crop.meta)) } });
  return (await writer.close()).map((s) => path.basename(s.path));
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (fs.existsSync(args.out) && fs.readdirSync(args.out).length > 0 && !args.force) {
    throw new Error(`build-photo-shards: ${args.out} is not empty (pass --force to rebuild it)`);
  }
  fs.rmSync(args.out, { recursive: true, force: true });
  fs.mkdirSync(args.out, { recursive: true });
  const packages = PHOTO_PACKAGES.map((spec) => fetchPackage(spec, args.cache));
  const sources: Source[] = [];
  for (const pkg of packages) {
    const listed = await listSources(pkg);
    listed.forEach((s, i) => {
      const heldOut = listed.length >= 4 && i % HELD_OUT_EVERY === HELD_OUT_OFFSET;
      sources.push({ ...s, split: heldOut ? 'heldout' : 'train', index: sources.length });
    });
  }
  const train: Crop[] = [];
  const heldout: Crop[] = [];
  for (const source of sources) (source.split === 'heldout' ? heldout : train).push(...(await cutCrops(source)));
  const rng = new Rng(0);
  for (let i = train.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [train[i], train[j]] = [train[j]!, train[i]!];
  }
  const trainShards = await writeShards(path.join(args.out, 'train-%06d.tar'), train);
  const heldoutShards = await writeShards(path.join(args.out, 'heldout-%06d.tar'), heldout);
  fs.writeFileSync(path.join(args.out, 'manifest.jsonl'), [...train, ...heldout].map((c) => JSON.stringify(c.meta)).join('\n') + '\n');
  const summary = {
    builder: 'tools/photos/build-photo-shards.ts',
    size: SIZE,
    reservedPackagesNotUsed: RESERVED_PACKAGES,
    packages: packages.map((p) => ({
      name: p.spec.name, version: p.version, debSha256: p.debSha256, content: p.spec.content,
      licences: [...new Set(sources.filter((s) => s.pkg === p).map((s) => s.licence))],
      sources: { train: sources.filter((s) => s.pkg === p && s.split === 'train').length, heldout: sources.filter((s) => s.pkg === p && s.split === 'heldout').length },
      crops: { train: train.filter((c) => c.meta.package === p.spec.name).length, heldout: heldout.filter((c) => c.meta.package === p.spec.name).length },
    })),
    shards: { train: trainShards, heldout: heldoutShards },
    samples: { train: train.length, heldout: heldout.length },
  };
  fs.writeFileSync(path.join(args.out, 'sources.json'), JSON.stringify(summary, null, 2) + '\n');
  console.log(`photos: ${sources.length} source images from ${packages.length} packages → ${train.length} training crops in ${trainShards.length} shards, ${heldout.length} held-out crops of ${sources.filter((s) => s.split === 'heldout').length} whole photos → ${args.out}`);
  for (const p of summary.packages) console.log(`  ${p.name} ${p.version}: sources ${p.sources.train}+${p.sources.heldout}, crops ${p.crops.train}+${p.crops.heldout}, licence ${p.licences.join(' | ')}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
