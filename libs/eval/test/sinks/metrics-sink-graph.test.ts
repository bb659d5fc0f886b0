import { fromIterable, Graph, mapStage } from '@vqrae/graph';
import pl from 'nodejs-polars';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { MetricRow } from '../../src/sinks/metric-columns.js';
import { arrowMetricsSink } from '../../src/sinks/metrics-sink.js';
import { makeProvenance } from '../../src/sinks/provenance.js';

const provenance = makeProvenance({ tool: 'test', command: ['node', 'test'], config: {} });
const rows: MetricRow[] = Array.from({ length: 50 }, (_, i) => ({
  meta: { key: `k${i}`, shard: 'a.tar', index: i },
  values: { psnr: 30 + i / 10 },
}));

test('inside a Graph: finish renames the file into place; a failing run aborts and leaves nothing', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'eval-graph-sink-'));
  try {
    const ok = path.join(dir, 'ok.arrow');
    const summary = await Graph.from(fromIterable('rows', rows))
      .to(arrowMetricsSink({ path: ok, columns: [{ name: 'psnr', unit: 'dB' }], provenance, batchRows: 16 }))
      .run();
    assert.equal(summary.sinks[0]!.written, 50);
    assert.equal(pl.readIPC(await readFile(ok)).height, 50);

    const failing = path.join(dir, 'fail.arrow');
    const boom = mapStage('boom', (row: MetricRow) => {
      if (row.meta.index === 40) throw new Error('decoder exploded');
      return row;
    });
    await assert.rejects(
      Graph.from(fromIterable('rows', rows)).pipe(boom)
        .to(arrowMetricsSink({ path: failing, columns: [{ name: 'psnr' }], provenance, batchRows: 16 }))
        .run(),
      /decoder exploded/,
    );
    assert.deepEqual((await readdir(dir)).sort(), ['ok.arrow']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
