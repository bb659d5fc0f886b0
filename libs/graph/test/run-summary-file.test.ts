import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createRunFolder, runStatus, writePartialRunSummary, writeRunSummary } from '../src/index.js';

test('summary.json has one format: command, status from the exit code, error message, graphs, then the caller’s fields', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vqrae-graph-summary-'));
  try {
    const folder = createRunFolder({ command: 'demo', out: path.join(dir, 'run') });
    folder.addGraph('main', 'numbers → out');
    writePartialRunSummary(folder);
    const read = (): Record<string, unknown> => JSON.parse(fs.readFileSync(folder.path('summary.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(read(), { status: 'partial', graphs: [{ name: 'main', description: 'numbers → out' }] });
    const file = writeRunSummary(folder, { command: 'demo', exitCode: 1, wallMs: 12.5, error: new Error('shard s-000.tar: bad'), extra: { backend: 'cpu' } });
    assert.equal(file, folder.path('summary.json'));
    assert.deepEqual(read(), {
      command: 'demo',
      status: 'failed',
      exitCode: 1,
      wallMs: 12.5,
      error: 'shard s-000.tar: bad',
      graphs: [{ name: 'main', description: 'numbers → out' }],
      backend: 'cpu',
    });
    writeRunSummary(folder, { command: 'demo', exitCode: 130, wallMs: 1, extra: { cancelled: true } });
    assert.deepEqual([read().status, 'error' in read(), read().cancelled], ['cancelled', false, true]);
    assert.deepEqual([0, 1, 2, 130].map(runStatus), ['ok', 'failed', 'failed', 'cancelled']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
