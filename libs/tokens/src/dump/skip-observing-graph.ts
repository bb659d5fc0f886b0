import { Graph, type GraphSpec, type RunOptions, type RunSummary, type SkipRecord } from '@vqrae/graph';

/**
 * A Graph that reports every skip to `observe` as it happens, whoever runs it and with whatever run options (the
 * runner's own `onSkip` still gets them): a dump accounts its skips per input shard at commit time.
 */
export class SkipObservingGraph extends Graph {
  constructor(
    spec: GraphSpec,
    private readonly observe: (record: SkipRecord) => void,
  ) {
    super(spec);
  }

  override run(options: RunOptions = {}): Promise<RunSummary> {
    return super.run({
      ...options,
      onSkip: (record) => {
        this.observe(record);
        options.onSkip?.(record);
      },
    });
  }
}
