/**
 * A short-lived signal that follows `parent` until `dispose()`. Per-shard work uses one instead of the job's
 * long-lived signal: in Node 20, every `AbortSignal.any([parent, …])` (graph.run makes one) stays referenced from
 * `parent` until a later GC sweep, ~1–2 KB each, which adds up over 100,000 shards; a child signal is dropped whole.
 */
export function childSignal(parent: AbortSignal | undefined): { readonly signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  if (!parent) return { signal: controller.signal, dispose: () => {} };
  const onAbort = (): void => controller.abort(parent.reason);
  if (parent.aborted) onAbort();
  else parent.addEventListener('abort', onAbort, { once: true });
  return { signal: controller.signal, dispose: () => parent.removeEventListener('abort', onAbort) };
}
