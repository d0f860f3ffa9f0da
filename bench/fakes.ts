import { fork } from 'node:child_process';

export interface Fakes {
  readonly awsUrl: string;
  readonly slackUrl: string;
  readonly apiUrl: string;
  answers(): Promise<Record<string, unknown>[]>;
  /** Resolves once the stand-in has `count` answers on response_url; fails after `timeoutMs`. */
  answered(count: number, timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The simulated AWS account and the Slack stand-in in their own process (bench/fakesProcess.ts): in
 * this one, their work for Capstan's status answers would delay reading the acknowledgements measured.
 */
export async function startFakes(): Promise<Fakes> {
  const child = fork(new URL('./fakesProcess.ts', import.meta.url), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  /** The fakes' answer to one message (they answer one at a time, in order). */
  const ask = <T>(message?: { kind: string }) =>
    new Promise<T>((resolve, reject) => {
      const exited = (code: number | null) => reject(new Error(`the fakes' process exited ${code}`));
      child.once('exit', exited);
      child.once('message', (m) => {
        child.off('exit', exited);
        resolve(m as T);
      });
      if (message) child.send(message);
    });
  const urls = await ask<{ awsUrl: string; slackUrl: string; apiUrl: string }>();
  return {
    ...urls,
    async answers() {
      return (await ask<{ answers: Record<string, unknown>[] }>({ kind: 'answers' })).answers;
    },
    async answered(count, timeoutMs) {
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        const { got } = await ask<{ got: number }>({ kind: 'count' });
        if (got >= count) return;
        if (performance.now() > deadline)
          throw new Error(`Capstan answered ${got} of the ${count} status commands of the warm-up`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.send({ kind: 'stop' });
      await exited;
    },
  };
}
