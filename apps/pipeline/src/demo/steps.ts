import type { DemoStep } from './demo-step.js';
import { imagesStep } from './images-step.js';
import { trainDemoStep } from './train-step.js';
import { tokensDemoStep } from '../dump/demo-tokens-step.js';
import { evalDemoStep } from './eval-step.js';

/** The steps of `vqrae demo` / `npm start`, in order. Later issues append theirs (one import, one entry). */
// eval and tokens run on the demo checkpoint (shipped small-cpu); train fine-tunes it, last, so that the checkpoint's
// own numbers and report come first.
export const DEMO_STEPS: readonly DemoStep[] = [imagesStep, evalDemoStep, tokensDemoStep, trainDemoStep];
