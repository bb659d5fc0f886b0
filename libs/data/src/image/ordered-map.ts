/** Outcome of one item in `mapOrdered`. */
export type Settled<Out> = { readonly ok: true; readonly value: Out } | { readonly ok: false; readonly error: unknown };

/**
 * Maps an async iterable with at most `concurrency` calls of `fn` in flight, yielding outcomes in input order
 * (head-of-line: a slow item holds back finished later ones, bounding memory to `concurrency` results). The
 * parallelism comes from whatever `fn` awaits (sharp runs on the libuv thread pool, sized by UV_THREADPOOL_SIZE).
 * Failures are yielded as `{ ok: false }` in their place so the caller applies its error policy.
 */
export async function* mapOrdered<In, Out>(
  input: AsyncIterable<In>,
  concurrency: number,
  fn: (item: In) => Promise<Out>,
): AsyncGenerator<{ readonly item: In; readonly result: Settled<Out> }> {
  const limit = Math.max(1, Math.floor(concurrency));
  const queue: { item: In; result: Promise<Settled<Out>> }[] = [];
  const start = (item: In): void => {
    const result = fn(item).then(
      (value): Settled<Out> => ({ ok: true, value }),
      (error: unknown): Settled<Out> => ({ ok: false, error }),
    );
    queue.push({ item, result });
  };
  const iterator = input[Symbol.asyncIterator]();
  let exhausted = false;
  try {
    for (;;) {
      while (!exhausted && queue.length < limit) {
        const next = await iterator.next();
        if (next.done) exhausted = true;
        else start(next.value);
      }
      const head = queue.shift();
      if (!head) return;
      yield { item: head.item, result: await head.result };
    }
  } finally {
    if (!exhausted) await iterator.return?.();
    await Promise.all(queue.map((entry) => entry.result)); // let in-flight work finish before returning
  }
}
