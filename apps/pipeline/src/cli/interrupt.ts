import type { Logger } from '@vqrae/graph';

/**
 * Runs `work` with an AbortSignal wired to SIGINT (Ctrl-C): the first SIGINT aborts the signal (the graph stops its
 * source and drains), a second one exits at once with code 130. The handler is removed afterwards.
 */
export async function withInterrupt<T>(log: Logger, work: (signal: AbortSignal) => Promise<T>, outer?: AbortSignal): Promise<T> {
  const controller = new AbortController();
  const onOuterAbort = (): void => controller.abort(outer?.reason);
  outer?.addEventListener('abort', onOuterAbort, { once: true });
  if (outer?.aborted) onOuterAbort();
  const onSigint = (): void => {
    if (controller.signal.aborted) {
      log.error('second interrupt: exiting now');
      process.exit(130);
    }
    log.warn('interrupted: stopping the source and draining items in flight (Ctrl-C again to exit now)');
    controller.abort(new Error('interrupted (SIGINT)'));
  };
  process.on('SIGINT', onSigint);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', onSigint);
    outer?.removeEventListener('abort', onOuterAbort);
  }
}
