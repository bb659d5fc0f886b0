import { defineCommand, UsageError } from '../cli/index.js';
import type { DemoStepResult } from '../demo/demo-step.js';
import { DEMO_OPTIONS } from '../demo/options.js';
import { DEMO_STEPS } from '../demo/steps.js';

/** `vqrae demo` (what `npm start` runs): every demo step in order on the bundled images, files in the run folder. */
export const demoCommand = defineCommand({
  name: 'demo',
  description: `run the end-to-end demo on the bundled images (steps: ${DEMO_STEPS.map((s) => s.name).join(', ')})`,
  options: DEMO_OPTIONS,
  examples: ['vqrae demo', 'vqrae demo --size 128 --out runs/my-demo', 'vqrae demo --config demo.yaml --quiet'],
  async run(ctx) {
    const steps = selectSteps(ctx.options.steps);
    const results = new Map<string, DemoStepResult>();
    for (const step of steps) {
      const result = await step.run({ ...ctx, previous: results });
      results.set(step.name, result);
      ctx.print(`${result.line}${result.files.length ? ` → ${result.files.join(', ')}` : ''}`);
      if (result.status !== 'ok') break;
    }
    const done = [...results.values()];
    const ok = done.length === steps.length && done.every((r) => r.status === 'ok');
    ctx.print(`demo: ${ok ? 'ok' : 'stopped'} (${done.length}/${steps.length} steps) — files in ${ctx.runFolder.dir}`);
    const report = done.map((r) => r.data?.report).find((r): r is string => typeof r === 'string');
    if (report) ctx.print(`report: ${ctx.runFolder.path(report)}`);
    return { summary: { steps: Object.fromEntries([...results].map(([name, r]) => [name, { status: r.status, line: r.line, files: r.files, ...r.data }])) } };
  },
});

function selectSteps(list: string | undefined): typeof DEMO_STEPS {
  if (list === undefined) return DEMO_STEPS;
  const names = list.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !DEMO_STEPS.some((s) => s.name === n));
  if (unknown.length > 0) throw new UsageError(`--steps: unknown step(s) ${unknown.join(', ')} (known: ${DEMO_STEPS.map((s) => s.name).join(', ')})`);
  return DEMO_STEPS.filter((s) => names.includes(s.name));
}
