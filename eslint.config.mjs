// ESLint flat config. The boundary rules of DESIGN.md are errors here, not conventions.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import pluginVue from 'eslint-plugin-vue';
import globals from 'globals';

const noElectron = {
  group: ['electron', 'electron/*'],
  message: 'src/core and src/shared never import electron (DESIGN.md): keep them runnable under plain Node.',
};
const noNode = {
  group: ['node:*', 'fs', 'path', 'crypto', 'net', 'os', 'child_process'],
  message: 'src/shared is imported by the renderer too: no Node built-ins.',
};

// The core's layers, lowest first: a layer imports only from layers below it (DESIGN.md), so
// e.g. storage never reaches up into identity and protocol never into net.
const coreLayers = ['crypto', 'noise', 'protocol', 'net', 'storage', 'files', 'identity', 'service'];
const below = {
  crypto: [],
  noise: ['crypto'],
  protocol: ['crypto', 'noise'],
  net: ['crypto', 'noise', 'protocol'],
  storage: ['crypto', 'protocol'],
  files: ['crypto', 'protocol', 'storage'],
  identity: ['crypto', 'storage'],
};
const layerRules = Object.entries(below).map(([layer, allowed]) => ({
  files: [`src/core/${layer}/**/*.ts`],
  rules: {
    'no-restricted-imports': ['error', { patterns: [noElectron, ...coreLayers
      .filter((other) => other !== layer && !allowed.includes(other))
      .map((other) => ({ group: [`../${other}/*`, `**/core/${other}/*`], message: `src/core/${layer} sits below ${other} (DESIGN.md layers): no upward imports.` }))] }],
  },
}));

const ipcMainRule = { selector: "Identifier[name='ipcMain']", message: 'ipcMain belongs to src/main.' };
const contextBridgeRule = { selector: "Identifier[name='contextBridge']", message: 'contextBridge belongs to src/preload.' };

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'reports/**', 'test-results/**', 'playwright-report/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...pluginVue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'] } },
  },
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'vue/multi-word-component-names': 'off',
      'vue/no-v-html': 'error',
      // Layout-only template rules: formatting is not what lint guards here.
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [noElectron] }],
      'no-console': 'error',
    },
  },
  ...layerRules,
  {
    files: ['src/shared/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noElectron, noNode] }] },
  },
  {
    files: ['src/renderer/**/*.{ts,vue}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: { 'no-restricted-imports': ['error', { patterns: [noElectron, noNode] }] },
  },
  // Only src/main may touch ipcMain; only src/preload may touch contextBridge.
  {
    files: ['src/**/*.{ts,vue}'],
    ignores: ['src/main/**', 'src/preload/**'],
    rules: { 'no-restricted-syntax': ['error', ipcMainRule, contextBridgeRule] },
  },
  { files: ['src/main/**/*.ts'], rules: { 'no-restricted-syntax': ['error', contextBridgeRule] } },
  { files: ['src/preload/**/*.ts'], rules: { 'no-restricted-syntax': ['error', ipcMainRule] } },
);
