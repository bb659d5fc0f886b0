#!/usr/bin/env node
// `npm test`: typecheck + lint + every project's tests through Nx, then one line of totals (the last line CI reads).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const workspaceRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const resultsDir = path.join(workspaceRoot, 'tmp/test-results');
fs.rmSync(resultsDir, { recursive: true, force: true });
const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', NX_SKIP_NX_CACHE: process.env.CI ? 'true' : process.env.NX_SKIP_NX_CACHE };
const nx = path.join(workspaceRoot, 'node_modules/.bin/nx');
const run = spawnSync(nx, ['run-many', '-t', 'typecheck', 'lint', 'test', '--parallel=2', '--outputStyle=stream'], { cwd: workspaceRoot, env, stdio: 'inherit' });

const totals = { tests: 0, pass: 0, fail: 0, skipped: 0 };
const perProject = [];
if (fs.existsSync(resultsDir)) {
  const files = fs.readdirSync(resultsDir, { recursive: true }).map(String).filter((f) => f.endsWith('.json')).sort();
  for (const f of files) {
    const r = JSON.parse(fs.readFileSync(path.join(resultsDir, f), 'utf8'));
    perProject.push(`${r.project}: ${r.pass}/${r.tests}`);
    for (const k of Object.keys(totals)) totals[k] += r[k] ?? 0;
  }
}
console.log(`\nper project: ${perProject.join(', ')}`);
const ok = run.status === 0 && totals.fail === 0;
console.log(`${ok ? 'PASS' : 'FAIL'}: ${totals.pass} passed, ${totals.fail} failed, ${totals.skipped} skipped (${totals.tests} tests)${run.status !== 0 ? ' — nx reported a failing target (typecheck, lint or test)' : ''}`);
process.exit(ok ? 0 : 1);
