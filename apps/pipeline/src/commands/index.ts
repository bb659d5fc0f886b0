import type { CommandModule } from '../cli/command-module.js';
import { demoCommand } from './demo.js';
import { dumpTokensCommand } from './dump-tokens.js';
import { dumpFeaturesCommand } from './dump-features.js';
import { inspectCommand } from './inspect.js';
import { describeCommand } from './describe.js';
import { decodeCommand } from './decode.js';
import { reconstructCommand } from './reconstruct.js';
import { mergeManifestsCommand } from './merge-manifests.js';
import { infoCommand } from './info.js';
import { initCommand } from './init.js';
import { makeShardsCommand } from './make-shards.js';
import { metricsCommand } from './metrics.js';
import { fidCommand } from './fid.js';
import { fidStatsCommand } from './fid-stats.js';
import { evalCommand } from './eval.js';
import { exportOnnxCommand } from './export-onnx.js';
import { mergeEvalCommand } from './merge-eval.js';
import { shardsCommand } from './shards.js';
import { trainCommand } from './train.js';
import { ablateCommand } from './ablate.js';

/** Every `vqrae` command, in the order `vqrae --help` lists them. Add new command modules here. */
export const COMMANDS: readonly CommandModule[] = [
  demoCommand,
  infoCommand,
  initCommand,
  shardsCommand,
  makeShardsCommand,
  trainCommand,
  ablateCommand,
  dumpTokensCommand,
  dumpFeaturesCommand,
  mergeManifestsCommand,
  decodeCommand,
  reconstructCommand,
  exportOnnxCommand,
  inspectCommand,
  describeCommand,
  evalCommand,
  mergeEvalCommand,
  metricsCommand,
  fidCommand,
  fidStatsCommand,
];
