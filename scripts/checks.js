#!/usr/bin/env node
// The static checks (`npm run checks`: a step of its own beside `npm test`, and CI runs both), side
// by side: the type check and the linter are each one thread, so on two cores they take as long as
// the slower of them rather than both. Each one's output is printed whole once it ends; the exit
// code is non-zero when either failed.
import { spawn } from 'node:child_process';
import { Buffer } from 'node:buffer';
import process from 'node:process';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Runs `npm run <script>` and resolves with its exit code and everything it printed. */
function run(script) {
  return new Promise((resolve) => {
    const child = spawn(npm, ['run', '--silent', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    child.stdout.on('data', (b) => out.push(b));
    child.stderr.on('data', (b) => out.push(b));
    child.on('error', (e) => resolve({ script, code: 1, text: String(e) }));
    child.on('close', (code, signal) =>
      resolve({ script, code: code ?? (signal ? 1 : 0), text: Buffer.concat(out).toString() }),
    );
  });
}

const started = Date.now();
const results = await Promise.all(['typecheck', 'lint'].map(run));
for (const r of results) {
  process.stdout.write(`> ${r.script}: ${r.code === 0 ? 'ok' : `failed (exit ${r.code})`}\n`);
  if (r.text.trim()) process.stdout.write(`${r.text.trimEnd()}\n`);
}
process.stdout.write(`checks done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
process.exitCode = results.some((r) => r.code !== 0) ? 1 : 0;
