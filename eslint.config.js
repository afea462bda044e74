import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'out/', 'node_modules/', 'test-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Build and bench scripts run on Node.
    files: ['**/*.mjs', 'scripts/**', 'bench/**', 'build/**'],
    languageOptions: { globals: globals.node },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-control-regex': 'off',
    },
  },
  {
    // The core runs in a worker thread and in the headless build: it must never reach for
    // Electron or the DOM, and only it talks to Ollama.
    files: ['main/core/**/*.ts', 'main/headless/**/*.ts', 'main/simulator/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'The core and the headless build must not import electron.' },
            { name: 'electron-store', message: 'electron-store loads electron; keep it in main/app.' },
          ],
          patterns: [{ group: ['**/app/**', '**/renderer/**', '**/preload/**'], message: 'The core must not depend on the shells.' }],
        },
      ],
      'no-restricted-globals': ['error', 'window', 'document', 'navigator', 'localStorage'],
    },
  },
);
