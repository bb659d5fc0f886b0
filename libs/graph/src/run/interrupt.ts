import type { Logger } from '../types.js';

/** The outermost active interrupt scope: nested scopes follow its signal instead of adding SIGINT handlers. */
let activeScope: AbortSignal | undefined;

/**
 * Runs `work` with an AbortSignal wired to SIGINT (Ctrl-C): the first SIGINT aborts the signal (the graph stops its
 * source and drains), a second one exits at once with code 130. The handler is removed afterwards. Scopes nest: inside
 * another scope (a command's whole run), no second handler is added; the signal follows the outer scope's, so one
 * Ctrl-C is one interrupt however deep the work is.
 */
export async function withInterrupt<T>(log: Logger, work: (signal: AbortSignal) => Promise<T>, outer?: AbortSignal): Promise<T> {
  const controller = new AbortController();
  const parents = [outer, activeScope].filter((s): s is AbortSignal => s !== undefined);
  const follow = (parent: AbortSignal) => (): void => controller.abort(parent.reason);
  const unlink = parents.map((parent) => {
    const onAbort = follow(parent);
    parent.addEventListener('abort', onAbort, { once: true });
    if (parent.aborted) onAbort();
    return () => parent.removeEventListener('abort', onAbort);
  });
  const outermost = activeScope === undefined;
  const onSigint = (): void => {
    if (controller.signal.aborted) {
      log.error('second interrupt: exiting now');
      process.exit(130);
    }
    log.warn('interrupted: stopping the source and draining items in flight (Ctrl-C again to exit now)');
    controller.abort(new Error('interrupted (SIGINT)'));
  };
  if (outermost) {
    process.on('SIGINT', onSigint);
    activeScope = controller.signal;
  }
  try {
    return await work(controller.signal);
  } finally {
    if (outermost) {
      process.off('SIGINT', onSigint);
      activeScope = undefined;
    }
    for (const off of unlink) off();
  }
}

/** Whether a `withInterrupt` scope is handling SIGINT right now. */
export function interruptScopeActive(): boolean {
  return activeScope !== undefined;
}

/** The signal of the active interrupt scope (a command's run), for work that is not a graph run through ctx. */
export function interruptSignal(): AbortSignal | undefined {
  return activeScope;
}
