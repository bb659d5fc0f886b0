import { listShippedCheckpoints, shippedCheckpointsDir } from '@vqrae/tokenizer';

/** The `vqrae info` block of shipped checkpoints: name, preset, size, dtype, sha256, description (one line each). */
export function shippedCheckpointLines(dir = shippedCheckpointsDir()): string[] {
  const entries = listShippedCheckpoints(dir);
  if (entries.length === 0) return [`shipped checkpoints: none in ${dir}`];
  return [
    `shipped checkpoints (--checkpoint <name>; ${dir}):`,
    ...entries.map(
      (c) =>
        `  ${c.name}: preset ${c.preset}, ${(c.bytes / 2 ** 20).toFixed(1)} MiB ${c.dtype}, sha256 ${c.sha256}${c.placeholder ? ' [PLACEHOLDER, untrained]' : ''} — ${c.description}`,
    ),
  ];
}
