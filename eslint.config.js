// ESLint flat config: @eslint/js recommended + typescript-eslint recommended.
// Deliberately not the type-checked presets: `npm run typecheck` (tsc) already covers types,
// and lint stays a few seconds on two cores.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  {
    ignores: [
      '**/node_modules/**',
      'data/**',
      'coverage/**',
      '**/__golden__/**',
      '.vitest-results.json',
      '.vitest-faults-results.json',
      '.fault-results.json',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: {
      sourceType: 'module',
      globals: { ...globals.node },
    },
    linterOptions: {
      reportUnusedDisableDirectives: 'warn',
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'warn',
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          args: 'after-used',
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrors: 'all',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // `catch { /* best effort */ }` and `catch {}` are used on purpose (cleanup, probes).
      'no-empty': ['error', { allowEmptyCatch: true }],
      // Rejecting and stripping C0 control characters is part of the contract (input validation,
      // channel sanitisers), so regexes like /[\u0000-\u001F]/ are intended here, not typos.
      'no-control-regex': 'off',
    },
  },
);
