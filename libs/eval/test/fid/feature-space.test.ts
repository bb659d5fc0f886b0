import assert from 'node:assert/strict';
import { test } from 'node:test';
import { frechetLabel, frechetProtocol, namedFeatureSpace } from '../../src/fid/feature-space.js';

test('frechetLabel: rFID/FID only for FID-Inception, FD[name] for anything else', () => {
  const fid = { kind: 'fid-inception', variant: 'torch-fidelity', weightsSha256: 'ab'.repeat(32) } as const;
  assert.equal(frechetLabel(fid, 'reconstruction'), 'rFID[torch-fidelity]');
  assert.equal(frechetLabel({ kind: 'fid-inception', variant: 'clean' }, 'generation'), 'FID[clean]');
  const fd = namedFeatureSpace('mobilenetv2-imagenet-stride16', 'nsfwjs MobileNetV2 block_13_expand_relu, mean-pooled');
  assert.equal(frechetLabel(fd, 'reconstruction'), 'FD[mobilenetv2-imagenet-stride16]');
  assert.match(frechetProtocol(fd), /NOT FID/);
  assert.match(frechetProtocol(fid), /abababababab.*TF1-legacy bilinear/);
});

test('namedFeatureSpace refuses names that would pass for FID', () => {
  for (const name of ['rFID', 'fid', 'FID-inception', 'inception_v3_fid']) assert.throws(() => namedFeatureSpace(name), /reserved/);
  assert.throws(() => namedFeatureSpace('has space'), /not a valid/);
});
