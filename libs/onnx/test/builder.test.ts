/**
 * The graph builder: typed attributes, int64 constants, dynamic batch, float16 precision, metadata, subgraphs and
 * external data, each checked by running the built model in ONNX Runtime (CPU).
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { OnnxGraphBuilder, buildModel, float, graph, int, ints, onnx, readModelMetadata, writeOnnxArtifact, type Precision } from '../src/index.js';

/** y = LayerNorm(x·W + b) [batch, 4] and the first argmax of x as int32 [batch]. */
function smallModel(precision: Precision) {
  const g = new OnnxGraphBuilder('small', { precision });
  const x = g.input('x', 'float32', ['batch', 4]);
  const w = g.weight('w', Float32Array.from({ length: 16 }, (_, i) => (i % 5 === 0 ? 2 : 0.25)), [4, 4]);
  const y = g.node('Add', [g.node('MatMul', [x, w]), g.floatConstant([0.5, -0.5, 1, -1], [4])]);
  const normed = g.node('LayerNormalization', [y, g.floatConstant([1, 2, 1, 2], [4]), g.floatConstant([0, 0, 0, 0], [4])], { axis: int(-1), epsilon: float(1e-5) });
  const arg = g.node('ArgMax', [x], { axis: int(1), keepdims: int(0), select_last_index: int(0) });
  g.output('y', normed, 'float32', ['batch', 4]);
  g.output('idx', g.node('Cast', [arg], { to: int(6) }), 'int32', ['batch']);
  return g;
}

function reference(x: Float32Array, batch: number): Float32Array {
  const out = new Float32Array(batch * 4);
  const bias = [0.5, -0.5, 1, -1];
  const gamma = [1, 2, 1, 2];
  for (let r = 0; r < batch; r++) {
    const y = [0, 1, 2, 3].map((j) => bias[j] + [0, 1, 2, 3].reduce((s, i) => s + x[r * 4 + i] * (((i * 4 + j) % 5 === 0) ? 2 : 0.25), 0));
    const mean = y.reduce((a, b) => a + b, 0) / 4;
    const variance = y.reduce((a, b) => a + (b - mean) ** 2, 0) / 4;
    for (let j = 0; j < 4; j++) out[r * 4 + j] = ((y[j] - mean) / Math.sqrt(variance + 1e-5)) * gamma[j];
  }
  return out;
}

const input = Float32Array.from([1, 2, 3, 4, 4, 3, 2, 1, 0.5, 0.5, -1, 0.5]);

async function run(model: Uint8Array | string, batch: number) {
  const session = await ort.InferenceSession.create(model as Uint8Array, { executionProviders: ['cpu'] });
  try {
    const out = await session.run({ x: new ort.Tensor('float32', input.slice(0, batch * 4), [batch, 4]) });
    return { y: out.y.data as Float32Array, idx: out.idx.data as Int32Array, idxType: out.idx.type, yType: out.y.type };
  } finally {
    await session.release();
  }
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
}

describe('OnnxGraphBuilder', () => {
  it('builds a float32 model that runs for batch 1 and 3 with metadata', async () => {
    const artifact = buildModel(smallModel('float32'), { metadata: { 'vqrae.graph': 'small' } });
    assert.equal(artifact.externalData, undefined);
    assert.deepEqual(readModelMetadata(artifact.model), { 'vqrae.graph': 'small' });
    for (const batch of [1, 3]) {
      const out = await run(artifact.model, batch);
      assert.equal(out.yType, 'float32');
      assert.equal(out.idxType, 'int32');
      assert.ok(maxDiff(out.y, reference(input, batch)) < 1e-5);
      assert.deepEqual([...out.idx], [3, 0, 0].slice(0, batch));
    }
  });

  it('float16 precision stores float16 weights, computes in float16 and keeps float32 inputs/outputs', async () => {
    const g = smallModel('float16');
    assert.ok(g.initializers().filter((i) => i.dtype !== 'int64').every((i) => i.dtype === 'float16'));
    const out = await run(buildModel(g).model, 3);
    assert.equal(out.yType, 'float32');
    const err = maxDiff(out.y, reference(input, 3));
    assert.ok(err > 0 && err < 5e-3, `float16 error ${err}`);
  });

  it('writes external data past the threshold and loads it back by path (atomic files, relocated name)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'vqrae-onnx-ext-'));
    try {
      const g = smallModel('float32');
      g.weight('unused_big', new Float32Array(4096).fill(1), [4096]); // 16 KiB: goes to the side file
      const artifact = buildModel(g, { externalDataThreshold: 1024 });
      assert.ok(artifact.externalData !== undefined && artifact.externalData.byteLength >= 16384);
      const files = await writeOnnxArtifact(artifact, path.join(dir, 'small.onnx'));
      assert.deepEqual(files.map((f) => path.basename(f)), ['small.onnx', 'small.onnx.data']);
      assert.deepEqual((await readdir(dir)).sort(), ['small.onnx', 'small.onnx.data']);
      const proto = onnx.ModelProto.decode(await readFile(files[0]));
      const big = proto.graph?.initializer?.find((t) => t.name === 'unused_big');
      assert.equal(big?.dataLocation, onnx.TensorProto.DataLocation.EXTERNAL);
      assert.deepEqual(big?.externalData?.map((e) => e.key), ['location', 'offset', 'length']);
      assert.equal(big?.externalData?.[0].value, 'small.onnx.data');
      assert.equal(Number(big?.externalData?.[1].value) % 4096, 0);
      const out = await run(files[0], 2);
      assert.ok(maxDiff(out.y, reference(input, 2)) < 1e-5);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('runs a Loop whose body reads outer-scope values (subgraph attribute)', async () => {
    const g = new OnnxGraphBuilder('loop');
    const x = g.input('x', 'float32', [3]);
    const body = g.subgraph('body');
    body.input('iter', 'int64', []);
    const cond = body.input('cond', 'bool', []);
    const acc = body.input('acc', 'float32', [3]);
    body.output('cond_out', body.node('Identity', [cond]), 'bool', []);
    body.output('acc_out', body.node('Add', [acc, x]), 'float32', [3]);
    const [sum] = g.nodeOutputs('Loop', [g.int64([4], []), '', g.floatConstant([0, 0, 0], [3])], 1, { body: graph(body) });
    g.output('y', g.node('Transpose', [g.node('Reshape', [sum, g.int64([3, 1])])], { perm: ints([1, 0]) }), 'float32', [1, 3]);
    const session = await ort.InferenceSession.create(buildModel(g).model);
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from([1, 2, 3]), [3]) });
    await session.release();
    assert.deepEqual([...(out.y.data as Float32Array)], [4, 8, 12]);
  });

  it('rejects a reused value name and a byte count that does not match the shape', () => {
    const g = new OnnxGraphBuilder('bad');
    g.input('x', 'float32', [1]);
    assert.throws(() => g.input('x', 'float32', [1]), /'x' is already used/);
    assert.throws(() => g.initializer('w', 'float32', [2], new Uint8Array(4)), /needs 8 bytes, got 4/);
  });
});
