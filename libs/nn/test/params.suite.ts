import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { ParamStore } from '../src/index.js';

function build(): ParamStore {
  const store = new ParamStore();
  store.add('encoder.layer.0.weight', tf.ones([2, 3]), { trainable: false });
  store.add('encoder.layer.0.bias', tf.zeros([2]), { trainable: false });
  store.add('decoder.embed.weight', tf.fill([4, 2], 0.5));
  store.add('decoder.embed.bias', tf.zeros([4]));
  return store;
}

describe('ParamStore', () => {
  it('keeps trainable parameters as variables and frozen ones as plain tensors', () => {
    const before = tf.memory().numTensors;
    const store = build();
    assert.equal(tf.memory().numTensors, before + 4);
    assert.ok(store.get('decoder.embed.weight') instanceof tf.Variable);
    assert.ok(!(store.get('encoder.layer.0.weight') instanceof tf.Variable));
    assert.deepEqual([...store.trainableVariables().keys()], ['decoder.embed.weight', 'decoder.embed.bias']);
    assert.deepEqual(store.names('encoder.'), ['encoder.layer.0.weight', 'encoder.layer.0.bias']);
    assert.equal(store.numParams(), 6 + 2 + 8 + 4);
    assert.equal(store.numParams({ trainableOnly: true }), 12);
    assert.deepEqual(store.shapes('decoder.'), { 'decoder.embed.weight': [4, 2], 'decoder.embed.bias': [4] });
    assert.throws(() => store.get('decoder.embed.weigth'), /no parameter 'decoder.embed.weigth'.*nearest: decoder.embed.weight/);
    const duplicate = tf.zeros([4]);
    assert.throws(() => store.add('decoder.embed.bias', duplicate), /already exists/);
    duplicate.dispose(); // a rejected tensor stays owned by the caller
    store.dispose();
    assert.equal(tf.memory().numTensors, before);
  });

  it('freezes and unfreezes by prefix or predicate, keeping values and the tensor count', () => {
    const store = build();
    const count = tf.memory().numTensors;
    store.setTrainable('encoder.', true);
    store.setTrainable((name) => name.endsWith('.bias'), false);
    assert.deepEqual([...store.trainableVariables().keys()], ['encoder.layer.0.weight', 'decoder.embed.weight']);
    assert.equal(tf.memory().numTensors, count);
    assert.deepEqual([...store.get('encoder.layer.0.weight').dataSync()], [1, 1, 1, 1, 1, 1]);
    assert.equal(store.isTrainable('decoder.embed.bias'), false);
    store.dispose();
  });

  it('assigns with shape checks and clones deeply', () => {
    const store = build();
    const value = tf.tensor2d([[1, 2], [3, 4], [5, 6], [7, 8]]);
    store.assign('decoder.embed.weight', value);
    store.assign('encoder.layer.0.bias', tf.tensor1d([9, 9]));
    assert.throws(() => store.assign('decoder.embed.weight', tf.zeros([2, 4])), /has shape \[4, 2\], got \[2, 4\]/);
    const copy = store.clone('decoder.');
    assert.deepEqual(copy.names(), ['decoder.embed.weight', 'decoder.embed.bias']);
    store.assign('decoder.embed.weight', tf.zerosLike(value));
    assert.deepEqual([...copy.get('decoder.embed.weight').dataSync()], [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.ok(copy.get('decoder.embed.weight') instanceof tf.Variable);
    copy.dispose();
    store.dispose();
    value.dispose();
  });

  it('strict load reports missing, unexpected and mismatched keys in ONE error and changes nothing', () => {
    const store = build();
    const named = {
      'decoder.embed.weight': tf.zeros([2, 4]), // mismatched
      'decoder.extra': tf.zeros([1]), // unexpected
      'encoder.layer.0.weight': tf.fill([2, 3], 7),
      // decoder.embed.bias and encoder.layer.0.bias missing
    };
    assert.throws(
      () => store.load(named, { strict: true }),
      (error: Error) => {
        assert.match(error.message, /^ParamStore.load: 2 missing key\(s\): decoder.embed.bias, encoder.layer.0.bias; 1 unexpected key\(s\): decoder.extra; 1 shape mismatch\(es\): decoder.embed.weight expected \[4, 2\] got \[2, 4\]$/);
        return true;
      },
    );
    assert.deepEqual([...store.get('encoder.layer.0.weight').dataSync()], [1, 1, 1, 1, 1, 1], 'nothing loaded');
    tf.dispose(Object.values(named));
    store.dispose();
  });

  it('loads within a prefix scope, ignoring keys outside it; non-strict reports what it skipped', () => {
    const store = build();
    const before = tf.memory().numTensors;
    const named = {
      'decoder.embed.weight': tf.fill([4, 2], 3),
      'decoder.embed.bias': tf.fill([4], 2),
      'encoder.layer.0.weight': tf.zeros([9]), // outside the scope: ignored even though the shape is wrong
    };
    const report = store.load(named, { strict: true, prefix: 'decoder.' });
    assert.deepEqual(report.loaded.sort(), ['decoder.embed.bias', 'decoder.embed.weight']);
    assert.deepEqual([...store.get('decoder.embed.bias').dataSync()], [2, 2, 2, 2]);
    const partial = store.load({ 'encoder.layer.0.bias': tf.tensor1d([5, 6]), stray: tf.zeros([1]) }, { strict: false });
    assert.deepEqual(partial.loaded, ['encoder.layer.0.bias']);
    assert.deepEqual(partial.unexpected, ['stray']);
    assert.equal(partial.missing.length, 3);
    assert.throws(() => store.load({ 'encoder.layer.0.bias': tf.zeros([3]) }, { strict: false }), /shape mismatch/);
    tf.dispose(Object.values(named));
    assert.ok(tf.memory().numTensors - before <= 4); // the inline temporaries of this test
    store.dispose();
  });
});
