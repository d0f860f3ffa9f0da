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
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  /** The fakes' answer to one message (one asked at a time: they answer in order), within `ms`. */
  const ask = <T>(message?: { kind: string }, ms = 10_000) =>
    new Promise<T>((resolve, reject) => {
      const fail = (why: string) => {
        child.off('exit', exited);
        child.off('message', answered);
        clearTimeout(timer);
        reject(new Error(`the fakes' process ${why}`));
      };
      const exited = (code: number | null) => fail(`exited ${code}`);
      const answered = (m: unknown) => {
        child.off('exit', exited);
        clearTimeout(timer);
        resolve(m as T);
      };
      const timer = setTimeout(() => fail(`did not answer within ${ms} ms`), ms);
      child.once('exit', exited);
      child.once('message', answered);
      if (message) child.send(message, (e) => e && fail(`could not be asked: ${e.message}`));
    });
  // Started through tsx: on a busy machine that alone can take a while.
  const urls = await ask<{ awsUrl: string; slackUrl: string; apiUrl: string }>(undefined, 60_000);
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
          throw new Error(`Capstan answered ${got} of ${count} status commands within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      if (gone()) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.send({ kind: 'stop' }, (e) => e && child.kill());
      await exited;
    },
  };
}
