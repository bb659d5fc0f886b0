import path from 'node:path';

/** How output images are named: by key alone (duplicates refused), or `<shard stem>/<key>`. */
export interface OutputNaming {
  /** Name outputs `<shard file name without .tar>/<key>`, for inputs whose keys repeat across shards. */
  readonly prefixShard?: boolean;
}

/** `sa/a-000000.tar` → `a-000000` (also `.tar.gz`, `.tgz`, URLs). */
export function shardStem(shard: string): string {
  const base = path.posix.basename(shard.replace(/[?#].*$/, ''));
  return base.replace(/\.(tar|tar\.gz|tgz|tar\.zst)$/i, '');
}

/**
 * Turns keys into output names once each: a name seen before (the same key in two shards, or twice in one) is
 * refused instead of silently overwriting the first image. Memory: one entry per output.
 */
export class OutputNames {
  private readonly seen = new Map<string, string>();

  constructor(private readonly naming: OutputNaming = {}) {}

  /** The output name of `key` from `shard`; throws if another output already has it. */
  take(key: string, shard: string | undefined): string {
    const name = this.naming.prefixShard && shard !== undefined ? `${shardStem(shard)}/${key}` : key;
    const first = this.seen.get(name);
    if (first !== undefined) {
      const where = shard === undefined || first === '' ? '' : first === shard ? ` in shard '${shard}'` : ` (shards '${first}' and '${shard}')`;
      const advice = this.naming.prefixShard
        ? 'its shards have the same file name; rename one'
        : 'pass --prefix-shard to name outputs <shard>/<key>';
      throw new Error(`key '${key}' appears twice${where}: the outputs would overwrite each other; ${advice}`);
    }
    this.seen.set(name, shard ?? '');
    return name;
  }
}
