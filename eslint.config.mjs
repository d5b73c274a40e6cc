// ESLint flat config: @eslint/js recommended + typescript-eslint strictTypeChecked and
// stylisticTypeChecked for TypeScript; plain JavaScript is linted without type information.
// Layout is Prettier's job (.prettierrc.json); none of these presets has formatting rules.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The Node globals our plain-JS files use (no `globals` package: it is not a dependency of ours).
const nodeGlobals = Object.fromEntries(
  [
    'process',
    'console',
    'Buffer',
    '__dirname',
    '__filename',
    'require',
    'module',
    'exports',
    'setTimeout',
    'clearTimeout',
    'setInterval',
    'clearInterval',
    'setImmediate',
    'URL',
    'performance',
  ].map((name) => [name, 'readonly']),
);

export default tseslint.config(
  {
    ignores: ['dist/', 'node_modules/', '.tools/', 'policies/dist/', 'fixtures/', 'coverage/', 'scratch/', '**/cdktf.out/'],
  },
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          // The example CDKTF app is not part of tsconfig.json (it imports 'tagguard/cdktf', the built package).
          allowDefaultProject: ['examples/app/*.ts'],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Numbers in messages and paths are ordinary; anything else (objects, unknown, nullish) is still an error.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // Unused names are a compile error already (noUnusedLocals/noUnusedParameters); `_`-prefixed ones are deliberate.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
    },
  },
  {
    // Plain JavaScript (scripts/, bench/, bin/, jest.config.js, *.mjs): CommonJS on Node, no type information.
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { sourceType: 'commonjs', globals: nodeGlobals },
    rules: {
      // CommonJS files load modules with require(); that is what they are.
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { sourceType: 'module' },
  },
);
