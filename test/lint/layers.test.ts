import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { type Linter as LinterType, Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { beforeAll, describe, expect, it } from 'vitest';

// The layer rule of eslint.config.js (no-restricted-imports per folder of src/), run on small sources
// named as files of src/: what it refuses fails `npm run lint`.
const root = join(import.meta.dirname, '..', '..');
let config: LinterType.Config[];
const linter = new Linter({ configType: 'flat', cwd: root });

beforeAll(async () => {
  const url = pathToFileURL(join(root, 'eslint.config.js')).href;
  const { layerBlocks } = (await import(url)) as { layerBlocks: () => LinterType.Config[] };
  config = [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, ...layerBlocks()];
});

function problems(filename: string, code: string): string[] {
  return linter.verify(code, config, { filename }).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('the layer rule', () => {
  it.each([
    ['src/domain/x.ts', "import { a } from '../lib/ids.js';", 'src/domain may import nothing else from src/'],
    ['src/lib/x.ts', "import { a } from '../domain/catalog.js';", 'src/lib may import nothing else'],
    ['src/ports/x.ts', "import { a } from '../usecases/status.js';", 'src/ports may import only domain, lib'],
    ['src/targets/ecs/x.ts', "import { a } from '../../usecases/status.js';", 'src/targets may import only'],
    [
      'src/usecases/rollout/x.ts',
      "import { a } from '../../views/message.js';",
      'src/usecases may import only',
    ],
    ['src/usecases/x.ts', "export { a } from '../slack/app.js';", 'src/usecases may import only'],
    ['src/views/x.ts', "import { a } from '../adapters/slack/chat.js';", 'src/views may import only'],
    [
      'src/adapters/aws/x.ts',
      "import { a } from '../../usecases/status.js';",
      'src/adapters may import only',
    ],
    [
      'src/adapters/slack/other.ts',
      "import type { M } from '../../views/message.js';",
      'src/adapters may import',
    ],
  ])('refuses %s importing outward: %s', (file, code, message) => {
    expect(problems(file, code)).toEqual([expect.stringContaining(message)]);
  });

  it.each([
    ['src/main.ts', "import { a } from '../sandbox/main.js';"],
    ['src/ports/x.ts', "import { a } from '../../sandbox/slackApi.js';"],
    ['src/newfolder/deep/x.ts', "import type { A } from '../../../test/support/harness.js';"],
  ])('refuses %s importing from outside src/: %s', (file, code) => {
    expect(problems(file, code)).toEqual([expect.stringContaining('src/ imports nothing outside src/')]);
  });

  it.each([
    ['src/main.ts', "import { ECS } from '@aws-sdk/client-ecs';", 'only src/adapters and src/slack'],
    ['src/targets/ecs/x.ts', "import { ECS } from '@aws-sdk/client-ecs';", 'only src/adapters and src/slack'],
    ['src/usecases/x.ts', "import type { App } from '@slack/bolt';", 'only src/adapters and src/slack'],
    ['src/views/x.ts', "import { WebClient } from '@slack/web-api';", 'only types from @slack/types'],
    ['src/views/x.ts', "import { KnownBlock } from '@slack/types';", 'only types from @slack/types'],
  ])('refuses the Slack or AWS SDK in %s: %s', (file, code, message) => {
    expect(problems(file, code)).toEqual([expect.stringContaining(message)]);
  });

  it.each([
    ['src/domain/x.ts', "import { a } from './catalog.js';"],
    [
      'src/usecases/rollout/x.ts',
      "import { a } from '../approval.js'; import { b } from '../../targets/registry.js';",
    ],
    [
      'src/views/x.ts',
      "import type { KnownBlock } from '@slack/types'; import { a } from '../usecases/status.js';",
    ],
    [
      'src/adapters/aws/x.ts',
      "import { ECS } from '@aws-sdk/client-ecs'; import { a } from '../../ports/ecs.js';",
    ],
    ['src/slack/x.ts', "import { App } from '@slack/bolt'; import { a } from '../views/help.js';"],
    ['src/main.ts', "import { a } from './adapters/aws/ecs.js'; import { b } from './slack/app.js';"],
    ['sandbox/x.ts', "import { a } from '../src/main.js'; import { ECS } from '@aws-sdk/client-ecs';"],
    ['test/x.test.ts', "import { a } from '../sandbox/slackApi.js';"],
  ])('lets %s import inward: %s', (file, code) => {
    expect(problems(file, code)).toEqual([]);
  });

  it('names each exception it makes by file', () => {
    expect(problems('src/ports/chat.ts', "import type { SlackMessage } from '../views/message.js';")).toEqual(
      [],
    );
    expect(problems('src/ports/chat.ts', "import type { A } from '../views/home.js';")).toHaveLength(1);
  });
});
