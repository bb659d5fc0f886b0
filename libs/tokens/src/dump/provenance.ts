import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** Version of an installed package, found by walking up from its entry point (works when `exports` hides package.json). */
function versionOf(pkg: string): string {
  try {
    let dir = path.dirname(require.resolve(pkg));
    for (;;) {
      const file = path.join(dir, 'package.json');
      if (fs.existsSync(file)) {
        const json = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
        if (json.name === pkg && json.version) return json.version;
      }
      const parent = path.dirname(dir);
      if (parent === dir) return 'unknown';
      dir = parent;
    }
  } catch {
    return 'unknown';
  }
}

/** Versions of the packages that determine an output's bytes (recorded in every artifact's metadata). */
export function softwareVersions(): Record<string, string> {
  return {
    vqrae: '0.1.0',
    node: process.versions.node,
    '@tensorflow/tfjs-core': versionOf('@tensorflow/tfjs-core'),
    'apache-arrow': versionOf('apache-arrow'),
    sharp: versionOf('sharp'),
    'onnxruntime-node': versionOf('onnxruntime-node'),
  };
}

/** Flattens provenance into Arrow schema metadata (`vqrae.<name>` → string; objects JSON-encoded). */
export function provenanceMetadata(provenance: Record<string, unknown>): Map<string, string> {
  return new Map(Object.entries(provenance).map(([k, v]) => [`vqrae.${k}`, typeof v === 'string' ? v : JSON.stringify(v)]));
}
