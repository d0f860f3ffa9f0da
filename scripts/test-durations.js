#!/usr/bin/env node
// Writes test/support/durations.json, how long each test file took, from the JSON report of a whole
// run (`npx vitest run`, then `node scripts/test-durations.js`). The test sequencer orders files
// longest first by it where Vitest has no results of its own yet (a fresh clone, as in CI), so the
// two workers end together. Worth running again when files are added or change much.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const report = process.argv[2] ?? 'test-artifacts/vitest.json';
const out = join(root, 'test/support/durations.json');

/** @type {{ testResults: { name: string, startTime: number, endTime: number }[] }} */
const run = JSON.parse(readFileSync(report, 'utf8'));
const durations = Object.fromEntries(
  run.testResults
    .map((t) => [relative(root, t.name), Math.max(10, Math.round((t.endTime - t.startTime) / 10) * 10)])
    .sort(([a], [b]) => (a < b ? -1 : 1)),
);
writeFileSync(out, `${JSON.stringify(durations, null, 2)}\n`);
process.stdout.write(`${Object.keys(durations).length} files written to test/support/durations.json\n`);
