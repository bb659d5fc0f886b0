import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { Graph, createProgress, formatDuration, formatRate, forEachSink, fromIterable } from '../src/index.js';
import { sleep } from './helpers.js';

class Capture extends Writable {
  text = '';
  isTTY = false;
  override _write(chunk: Buffer, _encoding: string, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

describe('progress', () => {
  test('formatRate shows items/s and an ETA when the total is known', () => {
    assert.equal(formatRate(50, 200, 10_000), '50/200 items, 5.0 items/s, ETA 0:30');
    assert.equal(formatRate(50, undefined, 10_000), '50 items, 5.0 items/s');
    assert.equal(formatDuration(3_725_000), '1:02:05');
  });

  test('without a TTY, plain periodic lines; ticks come from the source', async () => {
    const stream = new Capture();
    const progress = createProgress({ stream, intervalMs: 10, label: 'demo' });
    await Graph.from(fromIterable('src', Array.from({ length: 30 }, (_, i) => i)))
      .to(forEachSink('slow', () => sleep(2)))
      .run({ progress });
    const lines = stream.text.trim().split('\n');
    assert.ok(lines.length >= 2, `expected periodic lines, got ${JSON.stringify(stream.text)}`);
    assert.match(lines[0], /^demo: progress \d+\/30 items, [\d.]+ items\/s/);
  });

  test('quiet prints nothing; a TTY gets a cli-progress bar', async () => {
    const quiet = new Capture();
    const q = createProgress({ stream: quiet, mode: 'quiet' });
    q.start(10);
    q.tick();
    q.stop();
    assert.equal(quiet.text, '');

    const tty = new Capture();
    tty.isTTY = true;
    const bar = createProgress({ stream: tty, label: 'demo' });
    bar.start(4);
    for (let i = 0; i < 4; i++) bar.tick();
    bar.stop();
    assert.match(tty.text, /demo .*100% \| 4\/4/);
  });
});
