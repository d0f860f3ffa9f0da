import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layers of src/, inner first: each folder may import itself and the folders it lists, nothing
 * else from src/ (README, Development). Arrows point inward: domain ← ports ← use cases ← adapters,
 * Slack, views. A folder missing from this table is only held to the rules every file of src/ obeys
 * (nothing outside src/, Slack and AWS only where SDK_ALLOWED says); add a new folder here.
 */
const LAYERS = {
  lib: [],
  domain: [],
  commands: ['domain', 'lib'],
  config: ['domain', 'lib'],
  ports: ['domain', 'lib'],
  targets: ['domain', 'lib', 'ports'],
  usecases: ['domain', 'lib', 'ports', 'targets', 'commands'],
  views: ['domain', 'lib', 'ports', 'targets', 'usecases', 'commands'],
  adapters: ['domain', 'lib', 'ports'],
  metrics: ['domain', 'lib', 'ports'],
  events: ['domain', 'lib', 'ports', 'targets', 'usecases'],
  sns: ['domain', 'lib', 'ports', 'targets', 'usecases', 'adapters'],
  slack: ['domain', 'lib', 'ports', 'targets', 'usecases', 'commands', 'views', 'adapters'],
  // The composition root's parts (main.ts in small modules): they know every layer; only main.ts imports them.
  compose: [
    'domain',
    'lib',
    'ports',
    'targets',
    'usecases',
    'commands',
    'config',
    'views',
    'adapters',
    'metrics',
    'events',
    'sns',
    'slack',
  ],
};

/**
 * Imports that break the direction today, each by file and target, until the code moves: the shape
 * of a Slack message (`SlackMessage`) lives in views/ although the chat port and its adapter need it.
 */
const KNOWN_EXCEPTIONS = {
  'src/ports/chat.ts': ['views/message.js'],
  'src/adapters/slack/chat.ts': ['views/message.js'],
};

/** Only these folders of src/ talk to Slack and AWS through their SDKs; everything else goes through a port. */
const SDK_ALLOWED = ['adapters', 'slack'];
/** These may also import types (never values) from @slack/types, to type the Block Kit they build. */
const SLACK_TYPES_ALLOWED = ['views'];

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const DEEPEST = 5;

/** What every file of src/ at this depth below src/ may not import. */
function commonPatterns(depth, folder) {
  const patterns = [
    {
      regex: `^(\\.\\./){${depth + 1}}`,
      message: 'src/ imports nothing outside src/: the sandbox and the tests import src/, never the reverse',
    },
  ];
  if (SDK_ALLOWED.includes(folder)) return patterns;
  if (SLACK_TYPES_ALLOWED.includes(folder)) {
    patterns.push(
      {
        group: ['@aws-sdk/*', '@slack/*', '!@slack/types'],
        message: `src/${folder} talks to neither Slack nor AWS: only types from @slack/types`,
      },
      {
        group: ['@slack/types'],
        allowTypeImports: true,
        message: `src/${folder} imports only types from @slack/types`,
      },
    );
  } else {
    patterns.push({
      group: ['@slack/*', '@aws-sdk/*'],
      message: 'only src/adapters and src/slack talk to Slack and AWS: add a port',
    });
  }
  return patterns;
}

function layerPatterns(depth, folder, file) {
  const up = `^(\\.\\./){${depth}}(?!\\.\\./)`;
  const may = [folder, ...LAYERS[folder]];
  const allowed = [...may.map((f) => `${f}/`), ...(KNOWN_EXCEPTIONS[file] ?? []).map(escapeRe)];
  const listed = LAYERS[folder].length ? `only ${LAYERS[folder].join(', ')}` : 'nothing else from src/';
  return [
    {
      regex: `${up}(?!(${allowed.join('|')}))`,
      message: `src/${folder} may import ${listed} (the layers in eslint.config.js and the README)`,
    },
  ];
}

function restrict(patterns) {
  return { 'no-restricted-imports': ['error', { patterns }] };
}

/**
 * One block per folder and depth, since a relative import names a folder of src/ only once its
 * `../` are counted; a later block replaces an earlier one's no-restricted-imports for the same file.
 */
export function layerBlocks() {
  const blocks = [{ files: ['src/*.ts'], rules: restrict(commonPatterns(0, '')) }];
  for (let depth = 1; depth <= DEEPEST; depth += 1) {
    const glob = `src/${'*/'.repeat(depth)}*.ts`;
    blocks.push({ files: [glob], rules: restrict(commonPatterns(depth, '')) });
    for (const folder of Object.keys(LAYERS)) {
      const files = [`src/${folder}/${'*/'.repeat(depth - 1)}*.ts`];
      blocks.push({
        files,
        rules: restrict([...commonPatterns(depth, folder), ...layerPatterns(depth, folder)]),
      });
      for (const file of Object.keys(KNOWN_EXCEPTIONS)) {
        if (file.split('/').length - 2 === depth && file.startsWith(`src/${folder}/`)) {
          const patterns = [...commonPatterns(depth, folder), ...layerPatterns(depth, folder, file)];
          blocks.push({ files: [file], rules: restrict(patterns) });
        }
      }
    }
  }
  return blocks;
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'data/**', 'test-artifacts/**', '.cache/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/require-await': 'off',
    },
  },
  ...layerBlocks(),
  {
    files: ['**/*.js', 'eslint.config.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
