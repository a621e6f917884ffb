import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', 'dist/**', 'coverage/**', 'bench/.work/**', 'tests/.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' },
      ],
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/main/**', 'electron', 'node:*', 'better-sqlite3'],
              message: 'The renderer talks to the core only through the api.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['electron', 'node:*', 'react', 'react-dom', '**/main/**', '**/renderer/**'],
              message: 'src/shared imports nothing platform-specific.',
            },
          ],
        },
      ],
    },
  },
  {
    files: [
      'src/main/core/**/*.ts',
      'src/main/features/**/*.ts',
      'src/main/cli/**/*.ts',
      'src/main/server/**/*.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              message:
                'The core is plain Node: only src/main/electron and src/main/index.ts import electron.',
            },
          ],
        },
      ],
    },
  },
  {
    // Config files and React components may use default exports where their tools require it.
    files: ['*.config.{js,ts}', 'electron-builder.ts', 'eslint.config.js'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
