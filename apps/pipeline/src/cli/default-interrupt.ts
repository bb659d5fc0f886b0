import { interruptScopeActive } from '@vqrae/graph';

/**
 * For commands without their own cancellation (make-shards, shards, fid-stats, ...): while `work` runs, a Ctrl-C that
 * no `withInterrupt` scope handles prints `vqrae <name>: cancelled (interrupted)` and exits with code 130, instead of
 * Node's silent death by signal.
 */
export async function withDefaultInterrupt<T>(name: string, writeErr: (text: string) => void, work: () => Promise<T>): Promise<T> {
  const onSigint = (): void => {
    if (interruptScopeActive()) return;
    writeErr(`vqrae ${name}: cancelled (interrupted)\n`);
    process.exit(130);
  };
  process.on('SIGINT', onSigint);
  try {
    return await work();
  } finally {
    process.off('SIGINT', onSigint);
  }
}
