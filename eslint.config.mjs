import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['scripts/demo/site/**', 'out/**', 'dist/**', 'node_modules/**', '.vscode-test/**', '.test-tools/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', fetch: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Plain CommonJS modules loaded by the extension host (runner self-tests).
    files: ['test/vscode/guard/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { exports: 'writable' } },
  },
  {
    // The protocol engine is a plain Node library: it must never reach for the editor API.
    files: ['src/ftp/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'src/ftp is a Node library; it must not import vscode.' }] }] },
  },
);
