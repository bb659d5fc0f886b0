#!/usr/bin/env node
// Runs one project's tests with node:test under tsx: every `*.test.ts` below ./test (cwd = project root).
// Long tests (`*.long.test.ts`) run only with VQRAE_LONG_TESTS=1. Totals go to tmp/test-results/<project>.json
// so that `npm test` can print one line of totals at the very end.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const workspaceRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const projectRoot = process.cwd();
// A project is named by its package.json, or by its project.json (e.g. examples/, which is no npm workspace).
const manifest = ['package.json', 'project.json'].map((f) => path.join(projectRoot, f)).find((f) => fs.existsSync(f));
const projectName = JSON.parse(fs.readFileSync(manifest, 'utf8')).name;
const includeLong = process.env.VQRAE_LONG_TESTS === '1';

function findTests(dir) {
  if (!fs.existsSync(dir)) return [];
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...findTests(full));
    else if (entry.name.endsWith('.test.ts') && (includeLong || !entry.name.endsWith('.long.test.ts'))) out.push(full);
  }
  return out.sort();
}

const files = findTests(path.join(projectRoot, process.argv[2] ?? 'test'));
// `{projectName}.json` exactly as nx.json declares the output, so Nx restores it on a cache hit.
const resultFile = path.join(workspaceRoot, 'tmp/test-results', `${projectName}.json`);
fs.mkdirSync(path.dirname(resultFile), { recursive: true });
if (files.length === 0) {
  console.log(`${projectName}: no test files`);
  fs.writeFileSync(resultFile, JSON.stringify({ project: projectName, tests: 0, pass: 0, fail: 0, skipped: 0 }));
  process.exit(0);
}

// One process per project by default: every test file pays ~1.5-3 s to start tsx, tfjs and wasm, so a project's
// files are imported by one generated entry file and run together (VQRAE_TEST_ISOLATE=1: one process per file).
const setup = path.join(workspaceRoot, 'tools/testing/tf-setup.mjs');
let targets = files;
if (process.env.VQRAE_TEST_ISOLATE !== '1') {
  const entry = path.join(workspaceRoot, 'tmp/test-entries', `${projectName.replace('/', '__')}.test.ts`);
  fs.mkdirSync(path.dirname(entry), { recursive: true });
  fs.writeFileSync(entry, files.map((f) => `import ${JSON.stringify(pathToFileURL(f).href)};`).join('\n') + '\n');
  targets = [entry];
}
const args = ['--import', 'tsx', '--import', setup, '--test', '--test-reporter=spec', ...targets];
const child = spawn(process.execPath, args, { cwd: projectRoot, stdio: ['ignore', 'pipe', 'inherit'] });
let tail = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  tail = (tail + chunk.toString()).slice(-4000);
});
child.on('close', (code) => {
  const count = (label) => Number((tail.match(new RegExp(`ℹ ${label} (\\d+)`)) ?? [])[1] ?? 0);
  const totals = { project: projectName, tests: count('tests'), pass: count('pass'), fail: count('fail'), skipped: count('skipped') + count('todo') };
  if (code !== 0 && totals.fail === 0) totals.fail = 1; // a crash outside any test still counts as a failure
  fs.writeFileSync(resultFile, JSON.stringify(totals));
  process.exit(code ?? 1);
});
