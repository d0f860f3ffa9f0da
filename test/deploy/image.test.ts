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

  it('keeps the sandbox, the tests and the benchmarks out of the build context', () => {
    const ignored = read('.dockerignore').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['sandbox', 'test', 'bench']));
  });
});
