import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'dist/**', 'console/vendor/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  { files: ['console/**/*.js'], languageOptions: { globals: { ...globals.browser } }, rules: { 'no-console': 'off' } },
  // The operator console (a browser app, typechecked by console/tsconfig.json).
  { files: ['console/src/**/*.{ts,tsx}'], ...reactHooks.configs.flat.recommended, languageOptions: { globals: { ...globals.browser } } },
  { files: ['scripts/**'], rules: { 'no-console': 'off' } },
);
