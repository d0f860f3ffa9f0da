import { accessSync, constants, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Linux's shared-memory file system: files there never wait on a disk. */
const SHM = '/dev/shm';

function memoryBacked(): string | undefined {
  try {
    accessSync(SHM, constants.W_OK);
    return SHM;
  } catch {
    return undefined;
  }
}

const base = memoryBacked() ?? tmpdir();

/**
 * A fresh folder for a test's SQLite ledger and other scratch files, in memory where the machine has
 * /dev/shm (the temporary folder otherwise). The same SQLite code runs on it, only without waiting on
 * the disk: on the test machine creating a ledger there takes ~2 ms instead of ~20 ms (the journal's
 * sync), and a suite creates hundreds. The caller removes it.
 */
export function scratchDir(prefix: string): string {
  return mkdtempSync(join(base, prefix));
}
