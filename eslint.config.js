// Lint rules, and the layer rules of ARCHITECTURE.md: imports point down only, and each
// platform library stays in the one layer that owns it.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const LAYERS = ['core', 'sim', 'data', 'model', 'scoring', 'input', 'render', 'hud', 'ui', 'app', 'cli'];

/** Which src/ layers each layer may import (besides itself). */
const MAY_IMPORT = {
  core: [],
  sim: ['core'],
  data: ['core'],
  model: ['core', 'data'],
  scoring: ['core', 'sim'],
  input: ['core', 'sim'],
  render: ['core', 'sim'],
  hud: ['core', 'sim'],
  ui: ['core', 'data', 'scoring', 'sim'],
  app: LAYERS.filter((l) => l !== 'app' && l !== 'cli'),
  cli: ['core', 'sim', 'scoring', 'data'],
};

/** Libraries owned by one layer each. */
const LIBRARIES = {
  three: ['render'],
  'pixi.js': ['hud'],
  '@tensorflow/*': ['model'],
  idb: ['data'],
  comlink: ['app'],
  fflate: ['data', 'model', 'scoring'],
  uplot: ['ui'],
};

function restrictionsFor(layer) {
  const banned = LAYERS.filter((l) => l !== layer && !MAY_IMPORT[layer].includes(l));
  const patterns = banned.map((l) => ({
    group: [`**/${l}/*`, `../${l}`, `../../src/${l}/*`],
    message: `layer '${layer}' may not import from '${l}' (see ARCHITECTURE.md)`,
  }));
  for (const [lib, owners] of Object.entries(LIBRARIES)) {
    if (!owners.includes(layer)) {
      patterns.push({ group: [lib, `${lib}/*`], message: `'${lib}' belongs to ${owners.join(', ')} only` });
    }
  }
  if (layer !== 'app') patterns.push({ group: ['**/workers/*'], message: 'only app/ reaches the worker, through its client' });
  patterns.push({ group: ['**/server/*'], message: 'the browser bundle never imports server/ (Node only)' });
  return patterns;
}

const PURE_GLOBALS = [
  { name: 'window', message: 'the simulation has no DOM' },
  { name: 'document', message: 'the simulation has no DOM' },
  { name: 'performance', message: 'the simulation counts ticks, never wall time' },
  { name: 'Date', message: 'the simulation counts ticks, never wall time' },
  { name: 'setTimeout', message: 'the simulation owns time: no timers' },
  { name: 'setInterval', message: 'the simulation owns time: no timers' },
  { name: 'requestAnimationFrame', message: 'the simulation owns time: no rAF' },
  { name: 'localStorage', message: 'the simulation stores nothing' },
  { name: 'indexedDB', message: 'the simulation stores nothing' },
];

export default tseslint.config(
  { ignores: ['dist/', 'dist-*/', 'node_modules/', 'test-results/', 'playwright-report/', 'bench/results/', 'tmp/', '**/*.tmp.*'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        window: 'readonly', document: 'readonly', navigator: 'readonly', console: 'readonly',
        performance: 'readonly', self: 'readonly', process: 'readonly', URL: 'readonly',
        setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly',
        clearInterval: 'readonly', requestAnimationFrame: 'readonly', cancelAnimationFrame: 'readonly',
        structuredClone: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly',
        fetch: 'readonly', Buffer: 'readonly', crypto: 'readonly', btoa: 'readonly', atob: 'readonly',
        Blob: 'readonly', URLSearchParams: 'readonly', AbortController: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  ...LAYERS.map((layer) => ({
    files: [`src/${layer}/**/*.ts`],
    ignores: [`src/${layer}/**/*.test.ts`],
    rules: { 'no-restricted-imports': ['error', { patterns: restrictionsFor(layer) }] },
  })),
  {
    files: ['workers/**/*.ts'],
    ignores: ['workers/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          ...['sim', 'scoring', 'input', 'hud', 'ui', 'app', 'cli'].map((l) => ({
            group: [`**/src/${l}/*`],
            message: `workers/ may import core, data, model and render's dash camera only, not '${l}'`,
          })),
          {
            group: ['**/src/render/*', '!**/src/render/dashCamera.ts', '!**/src/render/pose.ts'],
            message: 'workers/ draw only through the dash camera (src/render/dashCamera.ts)',
          },
          { group: ['three', 'pixi.js', 'idb', 'uplot'], message: 'workers/ reach libraries through model and data' },
          { group: ['**/server/*'], message: 'the browser bundle never imports server/ (Node only)' },
        ],
      }],
    },
  },
  {
    // server/ (Node only, the online leaderboard) may use core, sim, scoring and data's formats;
    // never the browser's layers, and the browser never imports it.
    files: ['server/**/*.ts'],
    ignores: ['server/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          ...['model', 'input', 'render', 'hud', 'ui', 'app', 'cli'].map((l) => ({
            group: [`**/src/${l}/*`],
            message: `server/ may import core, sim, scoring and data (formats) only, not '${l}'`,
          })),
          { group: ['**/workers/*', 'three', 'pixi.js', 'idb', 'uplot', 'comlink', '@tensorflow/*'], message: 'server/ is Node only: no browser libraries' },
        ],
      }],
    },
  },
  {
    files: ['src/core/**/*.ts', 'src/sim/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-globals': ['error', ...PURE_GLOBALS],
      'no-restricted-properties': ['error',
        { object: 'Math', property: 'random', message: 'use the seeded RNG in core/rng' },
        { object: 'Date', property: 'now', message: 'the simulation counts ticks, never wall time' },
        { object: 'performance', property: 'now', message: 'the simulation counts ticks, never wall time' },
      ],
    },
  },
);
