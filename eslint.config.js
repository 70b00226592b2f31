// Lint configuration: typescript-eslint's recommended rules over our own sources.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'build/**', 'firmware/**', 'docker/**', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    // Exit codes come from ExitCode (src/errors.ts), so `grep ExitCode.usage` finds every usage failure.
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "Property[key.name='exitCode'] > Literal.value", message: 'use ExitCode.* from src/errors.ts, not a bare number' },
        { selector: "AssignmentExpression[left.property.name='exitCode'] > Literal.right", message: 'use ExitCode.* from src/errors.ts, not a bare number' },
        { selector: "CallExpression[callee.object.name='process'][callee.property.name='exit'] > Literal", message: 'use ExitCode.* from src/errors.ts, not a bare number' },
      ],
    },
  },
  {
    // The report's page script runs in the browser (inlined into the HTML), after uPlot.
    files: ['src/report/assets/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: Object.fromEntries(
        ['window', 'document', 'location', 'getComputedStyle', 'setTimeout', 'clearTimeout', 'scrollX', 'scrollY', 'uPlot'].map((g) => [g, 'readonly']),
      ),
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', 'bin/*'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
