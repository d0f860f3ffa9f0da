/**
 * Resolves when `predicate` holds: checked at once, whenever a listener is called (after every
 * call to the stand-in), and every 25 ms, so conditions that change outside the stand-in (an AWS
 * fake, a timer) are seen. Rejects after `timeoutMs`, naming what `lastCalls` says.
 */
export function waitUntil<T>(
  listeners: Set<() => void>,
  predicate: () => T | undefined | false,
  timeoutMs: number,
  lastCalls: () => string,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const v = predicate();
      if (v !== undefined && v !== false) {
        listeners.delete(check);
        clearTimeout(timer);
        clearInterval(poll);
        resolve(v);
        return true;
      }
      return false;
    };
    const poll = setInterval(check, 25);
    const timer = setTimeout(() => {
      clearInterval(poll);
      listeners.delete(check);
      reject(new Error(`timed out waiting in the Slack stand-in; last calls: ${lastCalls()}`));
    }, timeoutMs);
    if (!check()) listeners.add(check);
  });
}
