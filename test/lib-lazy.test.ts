import { describe, expect, it } from 'vitest';
import { lazy, warm } from '../src/lib/lazy.js';

interface Port {
  read(id: string): Promise<string>;
  write(id: string, value: string): Promise<void>;
}

describe('lazy', () => {
  it('loads nothing until a method is called, then loads once for every call', async () => {
    let loads = 0;
    const written: string[] = [];
    const port = lazy<Port>(
      async () => {
        loads += 1;
        return {
          read: async (id) => `value of ${id}`,
          write: async (id, v) => void written.push(`${id}=${v}`),
        };
      },
      { read: true, write: true },
    );
    expect(loads).toBe(0);
    const [a, b] = await Promise.all([port.read('a'), port.read('b'), port.write('c', '1')]);
    expect([a, b, written]).toEqual(['value of a', 'value of b', ['c=1']]);
    await port.write('d', '2');
    expect(loads).toBe(1);
    expect(written).toEqual(['c=1', 'd=2']);
  });

  it('tries a failed load again on the next call', async () => {
    let loads = 0;
    const port = lazy<Pick<Port, 'read'>>(
      async () => {
        loads += 1;
        if (loads === 1) throw new Error('cannot load the SDK');
        return { read: async (id) => id };
      },
      { read: true },
    );
    await expect(port.read('a')).rejects.toThrow('cannot load the SDK');
    await expect(port.read('b')).resolves.toBe('b');
    expect(loads).toBe(2);
  });

  it('warm() loads it before any call, once; on any other object it does nothing', async () => {
    let loads = 0;
    const port = lazy<Pick<Port, 'read'>>(
      async () => {
        loads += 1;
        return { read: async (id) => id };
      },
      { read: true },
    );
    await warm(port);
    expect(loads).toBe(1);
    await expect(port.read('a')).resolves.toBe('a');
    await warm(port);
    await warm({ read: async () => 'eager' });
    expect(loads).toBe(1);
  });
});
