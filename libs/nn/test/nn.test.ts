// One test process for the whole library (each process pays ~1.5 s of tsx + tfjs + wasm start-up).
// Each suite file can also be run alone: node --import tsx --import ../../tools/testing/tf-setup.mjs --test test/<name>.suite.ts
import './random.suite.js';
import './params.suite.js';
import './layers.suite.js';
import './geometry.suite.js';
import './conv.suite.js';
import './attention.suite.js';
import './optim.suite.js';
import './safetensors.suite.js';
import './training.suite.js';
