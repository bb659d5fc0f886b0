import type { StageContext } from '@vqrae/graph';

/** A StageContext for driving sinks directly in tests. */
export function testContext(): StageContext {
  return {
    signal: new AbortController().signal,
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    counters: { seen: 0, emitted: 0, skipped: 0, errors: 0, busyMs: 0 },
    skip: () => undefined,
  };
}
