#!/usr/bin/env node
// Run before `npm test`: the browser test drives the sandbox page in Debian's Chromium. Where it is
// missing, install it when we can (root on Debian, as CI runs), otherwise stop at once and say how,
// so the browser test never fails late or goes missing from a run.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import process from 'node:process';
import { pathToFileURL } from 'node:url';

export const DEFAULT_PATH = '/usr/bin/chromium';
export const PACKAGES = ['chromium', 'fonts-noto-color-emoji'];

/**
 * @param {{
 *   env: Record<string, string | undefined>,
 *   exists: (path: string) => boolean,
 *   isRoot: boolean,
 *   run: (command: string, args: string[]) => number,
 *   log: (line: string) => void,
 * }} io
 * @returns {number} the exit code
 */
export function ensureChromium(io) {
  const custom = io.env.CHROMIUM_PATH;
  const path = custom || DEFAULT_PATH;
  if (io.exists(path)) return 0;
  const install = `apt-get update && apt-get install -y ${PACKAGES.join(' ')}`;
  if (custom) {
    io.log(`The browser test needs Chromium at CHROMIUM_PATH=${custom}, and nothing is there.`);
    io.log(
      "Point CHROMIUM_PATH at a Chromium or Chrome binary, or unset it to use Debian's /usr/bin/chromium.",
    );
    return 1;
  }
  const debian = io.exists('/etc/debian_version') && io.exists('/usr/bin/apt-get');
  if (debian && io.isRoot) {
    io.log(`The browser test needs Chromium at ${DEFAULT_PATH}; installing it: ${install}`);
    const ok =
      io.run('apt-get', ['update', '-qq']) === 0 &&
      io.run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...PACKAGES]) === 0;
    if (ok && io.exists(DEFAULT_PATH)) return 0;
    io.log(`Installing Chromium failed; run this, then the tests again:\n\n    ${install}\n`);
    return 1;
  }
  if (debian) {
    io.log(
      `The browser test needs Chromium at ${DEFAULT_PATH}, and it is not installed. Run this, then the tests again:`,
    );
    io.log(`\n    sudo sh -c '${install}'\n`);
  } else {
    io.log(
      `The browser test needs Chromium at ${DEFAULT_PATH}, and it is not installed. Install Chromium or Chrome, then:`,
    );
    io.log('\n    CHROMIUM_PATH=/path/to/chromium-or-chrome npm test\n');
  }
  return 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = ensureChromium({
    env: process.env,
    exists: existsSync,
    isRoot: process.getuid?.() === 0,
    run: (command, args) =>
      spawnSync(command, args, {
        stdio: 'inherit',
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      }).status ?? 1,
    log: (line) => process.stderr.write(`${line}\n`),
  });
}
