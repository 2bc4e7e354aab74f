import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', 'data/**', '**/coverage/**', 'packages/sdk/src/schema.ts'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Plain scripts the browser runs as they are: the service worker and the pre-paint theme script.
    files: ['packages/web/build/sw-template.js', 'packages/web/public/*.js'],
    languageOptions: {
      globals: {
        self: 'readonly',
        caches: 'readonly',
        fetch: 'readonly',
        URL: 'readonly',
        __SHELL_FILES__: 'readonly',
        __SHELL_VERSION__: 'readonly',
      },
    },
  },
  {
    files: ['packages/web/public/*.js'],
    languageOptions: {
      globals: { localStorage: 'readonly', matchMedia: 'readonly', document: 'readonly' },
    },
  },
  {
    // Tests read JSON answers loosely on purpose; the assertions give the types.
    files: ['**/test/**/*.ts', '**/bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
