import { describe, expect, it } from 'vitest';
import { CapstanError } from '../../src/domain/errors.js';
import { silentLogger } from '../../src/lib/logger.js';
import { failureMessage } from '../../src/slack/respond.js';
import { helpMessage, invalidMessage, notice } from '../../src/views/help.js';
import { golden } from './blockKit.js';

describe('help', () => {
  it('usage reads as text: <app> is escaped, never a Slack link', async () => {
    const m = helpMessage(['todobackend', 'billing']);
    await golden('help/help', m);
    const text = JSON.stringify(m);
    expect(text).toContain('`/deploy &lt;app&gt; &lt;version&gt; [to &lt;env&gt;]');
    expect(text).toContain('unless `to &lt;env&gt;`');
    expect(text).not.toMatch(/<(app|version|env|request-id)>/);
  });

  it('with no apps configured', async () => {
    await golden('help/help-no-apps', helpMessage([]));
  });
});

describe('invalid input', () => {
  it('says what is wrong and how to ask, as text', async () => {
    const m = invalidMessage(
      'Unknown app `todobakend`. Did you mean todobackend?',
      '/deploy <app> <version> [to <env>]',
    );
    await golden('help/invalid', m);
    expect(m.text).toBe(
      'Unknown app `todobakend`. Did you mean todobackend? Usage: /deploy &lt;app&gt; &lt;version&gt; [to &lt;env&gt;]',
    );
  });
});

describe('errors', () => {
  it('a refusal is shown as the user can act on it', async () => {
    const m = failureMessage(
      new CapstanError('locked', { kind: 'lock.notOwner', app: 'todobackend', env: 'dev', owner: 'U0BOB' }),
      silentLogger,
      'req-golden',
    );
    await golden('help/refused', m);
  });

  it('a bug shows a reference, not its details', async () => {
    const m = failureMessage(new Error('socket hang up at 10.0.0.1'), silentLogger, 'req-golden');
    await golden('help/bug', m);
    expect(JSON.stringify(m)).not.toContain('10.0.0.1');
  });

  it('a notice', async () => {
    await golden('help/notice', notice('`/deploy home` is not available yet in this version of Capstan.'));
  });
});
