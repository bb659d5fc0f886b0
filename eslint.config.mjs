// Flat ESLint config: typescript-eslint recommended rules plus Nx module boundaries.
// Boundaries: libraries never import the app; only the public entry (`@vqrae/<lib>`) of another project may be
// imported (no deep imports, no relative paths across projects).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import nx from '@nx/eslint-plugin';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'tmp/**', 'runs/**', '**/*.mjs', '**/*.py'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          // Test files may use the repository's test utilities (tools/testing: fixtures root, a small tmpfs).
          allow: ['/tools/testing/[a-z0-9-]+\\.m?js$'],
          depConstraints: [
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:tools', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:lib', 'type:app'] },
            // examples/: user graph files, written from library stages and sinks alone.
            { sourceTag: 'type:examples', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'scope:graph', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'scope:nn', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'scope:data', onlyDependOnLibsWithTags: ['scope:graph'] },
            { sourceTag: 'scope:tokenizer', onlyDependOnLibsWithTags: ['scope:nn', 'scope:graph', 'scope:data'] },
            { sourceTag: 'scope:losses', onlyDependOnLibsWithTags: ['scope:nn', 'scope:tokenizer', 'scope:eval'] },
            { sourceTag: 'scope:eval', onlyDependOnLibsWithTags: ['scope:nn', 'scope:graph', 'scope:data'] },
            { sourceTag: 'scope:onnx', onlyDependOnLibsWithTags: ['scope:nn', 'scope:tokenizer', 'scope:eval'] },
            { sourceTag: 'scope:tokens', onlyDependOnLibsWithTags: ['scope:graph', 'scope:data', 'scope:tokenizer'] },
            { sourceTag: 'scope:train', onlyDependOnLibsWithTags: ['scope:graph', 'scope:data', 'scope:nn', 'scope:tokenizer', 'scope:losses', 'scope:eval'] },
          ],
        },
      ],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@vqrae/*/*'], message: 'Import another project only through its public entry (@vqrae/<name>).' },
            { group: ['@tensorflow/tfjs-backend-*', '@tensorflow/tfjs-node*'], message: 'Libraries never import a backend package; only apps/pipeline registers backends.' },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // The app (and its tests / e2e / tools) is where backends are registered.
    files: ['apps/pipeline/**/*.ts', 'test/**/*.ts', 'tools/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@vqrae/*/*'], message: 'Import another project only through its public entry (@vqrae/<name>).' }] },
      ],
    },
  },
);
