/**
 * Base name of the files of one shard unit: the shard's file name without `.tar`/`.tar.gz`/`.tgz`, unsafe characters
 * → `_`, plus the unit's number (a shard seen twice, e.g. in two epochs, gets two units).
 */
export function shardBaseName(shard: string, unit: number): string {
  const stem = shard.split(/[\\/]/).pop()!.replace(/\.(tar\.gz|tgz|tar)$/i, '').replace(/[^A-Za-z0-9_.-]/g, '_');
  return `${stem || 'shard'}-${String(unit).padStart(5, '0')}`;
}
