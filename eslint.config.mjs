// Lint rules for the whole workspace. Module boundaries follow ARCHITECTURE.md:
// domain depends on nothing, libs never import apps, preprocess never imports persistence.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import noOnlyTests from 'eslint-plugin-no-only-tests';
import prettier from 'eslint-config-prettier';

export default [
  {
    ignores: [
      '**/node_modules',
      '**/dist',
      'var',
      'tmp',
      'coverage',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs',
      '.nx',
    ],
  },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'no-only-tests': noOnlyTests },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'scope:domain', onlyDependOnLibsWithTags: ['scope:domain'] },
            { sourceTag: 'scope:imaging', onlyDependOnLibsWithTags: ['scope:domain', 'scope:imaging'] },
            {
              sourceTag: 'scope:ml',
              onlyDependOnLibsWithTags: ['scope:domain', 'scope:imaging', 'scope:ml'],
            },
            { sourceTag: 'scope:data', onlyDependOnLibsWithTags: ['scope:domain', 'scope:data'] },
            { sourceTag: 'scope:security', onlyDependOnLibsWithTags: ['scope:domain'] },
            {
              sourceTag: 'scope:app',
              onlyDependOnLibsWithTags: [
                'scope:domain',
                'scope:imaging',
                'scope:ml',
                'scope:data',
                'scope:security',
              ],
            },
          ],
        },
      ],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { disallowTypeAnnotations: false }],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-only-tests/no-only-tests': 'error',
    },
  },
  {
    // NestJS and TypeORM read constructor parameter types at run time (emitDecoratorMetadata):
    // a type-only import there would erase the injection token.
    files: ['apps/api/**/*.ts', 'apps/hl7-gateway/**/*.ts', 'libs/persistence/**/*.ts', 'libs/audit/**/*.ts'],
    rules: { '@typescript-eslint/consistent-type-imports': 'off' },
  },
  prettier,
];
