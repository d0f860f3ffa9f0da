import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { circles, importGraph } from './importGraph.js';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

describe('imports in src/', () => {
  it('form no circle (a step two modules share belongs in a third)', () => {
    const graph = importGraph(SRC);
    expect(graph.size).toBeGreaterThan(50);
    expect(graph.get('usecases/deploy.ts')).toContain('usecases/execute.ts');
    expect(circles(graph).map((c) => c.join(' → '))).toEqual([]);
  });
});

describe('the circle finder', () => {
  it('finds a circle through type-only imports and a longer one', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['a.ts', 'c.ts']],
      ['c.ts', ['d.ts']],
      ['d.ts', ['b.ts']],
      ['e.ts', ['a.ts']],
    ]);
    expect(circles(graph)).toEqual([
      ['a.ts', 'b.ts', 'a.ts'],
      ['b.ts', 'c.ts', 'd.ts', 'b.ts'],
    ]);
  });

  it('reads `import type`, `export … from` and dynamic imports as edges', () => {
    const dir = mkdtempSync(join(tmpdir(), 'capstan-graph-'));
    try {
      mkdirSync(join(dir, 'sub'));
      writeFileSync(join(dir, 'a.ts'), "import type { B } from './sub/b.js';\nexport { c } from './c.js';\n");
      writeFileSync(join(dir, 'sub', 'b.ts'), "import {\n  x,\n} from '../c.js';\nimport('node:fs');\n");
      writeFileSync(join(dir, 'c.ts'), "export const c = () => import('./a.js');\n");
      const graph = importGraph(dir);
      expect(Object.fromEntries(graph)).toEqual({
        'a.ts': ['sub/b.ts', 'c.ts'],
        'sub/b.ts': ['c.ts'],
        'c.ts': ['a.ts'],
      });
      expect(circles(graph)).toEqual([['a.ts', 'sub/b.ts', 'c.ts', 'a.ts']]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
