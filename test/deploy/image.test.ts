import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// What ships: the production build compiles src/ alone, and the Docker image copies nothing else,
// so the sandbox (sandbox/), the tests and the benchmarks never reach dist/ or the image.
const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('what the build and the image hold', () => {
  it('compiles src/ alone into dist/', () => {
    const build = JSON.parse(read('tsconfig.build.json')) as {
      include: string[];
      compilerOptions: { rootDir: string; outDir: string };
    };
    expect(build.include).toEqual(['src']);
    expect(build.compilerOptions).toMatchObject({ rootDir: 'src', outDir: 'dist' });
  });

  it('copies into the image only the manifests, the compiler settings, src/ and what the build made', () => {
    const copies = read('Dockerfile')
      .split('\n')
      .filter((line) => line.startsWith('COPY '))
      .map((line) =>
        line
          .replace(/^COPY\s+(--from=\S+\s+)?/, '')
          .split(/\s+/)
          .slice(0, -1),
      );
    const sources = copies.flat();
    expect(sources).toContain('src');
    expect(
      sources.filter(
        (s) => !/^(package(-lock)?\.json|tsconfig(\.build)?\.json|src|\/app\/(dist|node_modules))$/.test(s),
      ),
    ).toEqual([]);
  });

  it('starts Capstan as npm start does, with the node flags the benchmarks measure, in the image and the stack', () => {
    const start = (JSON.parse(read('package.json')) as { scripts: { start: string } }).scripts.start;
    expect(start).toMatch(/^node (--\S+ )*dist\/main\.js$/);
    const cmd = /^CMD (\[.*\])$/m.exec(read('Dockerfile'))?.[1];
    expect((JSON.parse(cmd ?? '[]') as string[]).join(' ')).toBe(start);
    expect(read('deploy/capstan.yaml')).toContain(`exec ${start}\n`);
    // Memory is kept low by V8's own growth settings, never by a cap on the heap.
    expect(start).not.toMatch(/--max-old-space-size|--max-heap-size/);
  });

  it('keeps the sandbox, the tests and the benchmarks out of the build context', () => {
    const ignored = read('.dockerignore').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['sandbox', 'test', 'bench']));
  });
});
