import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where an artifact came from: written into every Arrow file's schema metadata (and the report) and read back by
 * tools that merge or compare runs. Library code never reads argv or env; the app passes `command` in.
 */
export interface Provenance {
  /** Producing tool and sub-command, e.g. `vqrae eval`. */
  readonly tool: string;
  /** The command line as run (argv after the node binary), for re-running. */
  readonly command: readonly string[];
  /** The resolved configuration, JSON-serialisable. */
  readonly config: unknown;
  /** sha256 of the checkpoint evaluated, when there is one. */
  readonly checkpointSha256?: string;
  /** Package name → version for the packages that determine the numbers (tfjs, apache-arrow, sharp, node, …). */
  readonly packages: Readonly<Record<string, string>>;
  /** ISO-8601 creation time. */
  readonly createdAt: string;
  /** Anything else worth keeping (e.g. FID weights sha256), string → string. */
  readonly extra?: Readonly<Record<string, string>>;
}

/** Schema-metadata key holding the whole provenance record as JSON. */
export const PROVENANCE_METADATA_KEY = 'vqrae.provenance';

/** Packages whose versions every provenance records by default. */
export const DEFAULT_PROVENANCE_PACKAGES: readonly string[] = [
  '@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm', 'apache-arrow', 'sharp', '@vqrae/eval',
];

/**
 * Installed version of each package, found by walking up from this file to the node_modules folders
 * (`'unknown'` when a package is not installed). `node` is added as the runtime version.
 */
export function packageVersions(names: readonly string[] = DEFAULT_PROVENANCE_PACKAGES): Record<string, string> {
  const versions: Record<string, string> = { node: process.version };
  for (const name of names) {
    versions[name] = findPackageVersion(name) ?? 'unknown';
  }
  return versions;
}

function findPackageVersion(name: string): string | undefined {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'node_modules', ...name.split('/'), 'package.json');
    if (existsSync(candidate)) {
      const parsed = JSON.parse(readFileSync(candidate, 'utf8')) as { version?: unknown };
      return typeof parsed.version === 'string' ? parsed.version : undefined;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Builds a provenance record, filling `packages` (default list) and `createdAt` (now) when not given. */
export function makeProvenance(fields: Omit<Provenance, 'packages' | 'createdAt'> & Partial<Pick<Provenance, 'packages' | 'createdAt'>>): Provenance {
  JSON.stringify(fields.config); // throws early on cycles / BigInt, naming nothing downstream
  return { ...fields, packages: fields.packages ?? packageVersions(), createdAt: fields.createdAt ?? new Date().toISOString() };
}

/** Schema metadata entries for a provenance record: the JSON under {@link PROVENANCE_METADATA_KEY} plus flat keys. */
export function provenanceMetadata(provenance: Provenance): Map<string, string> {
  const entries = new Map<string, string>([
    [PROVENANCE_METADATA_KEY, JSON.stringify(provenance)],
    ['vqrae.tool', provenance.tool],
    ['vqrae.created_at', provenance.createdAt],
  ]);
  if (provenance.checkpointSha256) entries.set('vqrae.checkpoint_sha256', provenance.checkpointSha256);
  return entries;
}

/** Reads the provenance back from schema metadata; throws when the key is absent or malformed. */
export function provenanceFromMetadata(metadata: ReadonlyMap<string, string>): Provenance {
  const raw = metadata.get(PROVENANCE_METADATA_KEY);
  if (raw === undefined) throw new Error(`provenanceFromMetadata: schema metadata has no '${PROVENANCE_METADATA_KEY}' entry`);
  const parsed = JSON.parse(raw) as Partial<Provenance>;
  if (typeof parsed.tool !== 'string' || !Array.isArray(parsed.command) || typeof parsed.createdAt !== 'string' || typeof parsed.packages !== 'object') {
    throw new Error(`provenanceFromMetadata: '${PROVENANCE_METADATA_KEY}' is not a provenance record`);
  }
  return parsed as Provenance;
}
