import { describe, expect, it } from 'vitest';
import { CloudFormationFact } from '../../../src/domain/facts/cloudformation.js';
import { sayFact } from '../../../src/views/facts/index.js';

type Kind = CloudFormationFact['kind'];
type Of<K extends Kind> = Extract<CloudFormationFact, { kind: K }>;

/** One fact of every kind (a kind left out does not compile), and the words people read for it. */
const WORDED: { readonly [K in Kind]: readonly [Of<K>, string] } = {
  'cloudformation.resourceEvent': [
    {
      kind: 'cloudformation.resourceEvent',
      logicalId: 'Service',
      resourceType: 'AWS::ECS::Service',
      status: 'UPDATE_FAILED',
      reason: 'Resource handler returned message: "circuit breaker"',
    },
    '`Service` AWS::ECS::Service *UPDATE_FAILED*: Resource handler returned message: "circuit breaker"',
  ],
  'cloudformation.executing': [
    { kind: 'cloudformation.executing', changeSet: 'capstan-todo-1-2-3-r-1' },
    'Executing change set `capstan-todo-1-2-3-r-1`.',
  ],
  'cloudformation.changeSetIs': [
    {
      kind: 'cloudformation.changeSetIs',
      changeSet: 'capstan-todo-1-2-3-r-1',
      executionStatus: 'EXECUTE_IN_PROGRESS',
    },
    'Change set `capstan-todo-1-2-3-r-1` is EXECUTE_IN_PROGRESS.',
  ],
  'cloudformation.changeSetNotAvailable': [
    {
      kind: 'cloudformation.changeSetNotAvailable',
      changeSet: 'capstan-todo-1-2-3-r-1',
      executionStatus: 'OBSOLETE',
      statusReason: 'superseded',
    },
    'The change set is OBSOLETE (superseded), so it was not executed. Prepare a fresh change set to try again.',
  ],
  'cloudformation.stackChanged': [
    {
      kind: 'cloudformation.stackChanged',
      stack: 'todo-prod',
      status: 'UPDATE_COMPLETE',
      byToken: 'Console-1',
    },
    'Stack todo-prod changed since this change set was made (by stack update Console-1, now UPDATE_COMPLETE), so it was not executed. Prepare a fresh change set to try again.',
  ],
  'cloudformation.noImageParameter': [
    { kind: 'cloudformation.noImageParameter', stack: 'todo-prod', parameter: 'ImageTag' },
    'Stack todo-prod has no parameter ImageTag; fix `imageParameter` in capstan.yml.',
  ],
  'cloudformation.stackBusy': [
    { kind: 'cloudformation.stackBusy', stack: 'todo-prod', status: 'UPDATE_IN_PROGRESS' },
    'Stack todo-prod is UPDATE_IN_PROGRESS; wait until it settles.',
  ],
  'cloudformation.stackNotFound': [
    { kind: 'cloudformation.stackNotFound', stack: 'todo-prod', region: 'us-east-1' },
    'CloudFormation stack todo-prod does not exist in us-east-1.',
  ],
  'cloudformation.stackGone': [
    { kind: 'cloudformation.stackGone', stack: 'todo-prod', region: 'us-east-1' },
    'CloudFormation stack todo-prod (us-east-1) no longer exists',
  ],
  'cloudformation.changeSetFailed': [
    { kind: 'cloudformation.changeSetFailed', reason: 'Requires capabilities : [CAPABILITY_NAMED_IAM]' },
    'CloudFormation could not create the change set: Requires capabilities : [CAPABILITY_NAMED_IAM]',
  ],
  'cloudformation.changeSetInterrupted': [
    { kind: 'cloudformation.changeSetInterrupted' },
    'Capstan stopped while CloudFormation computed the change set; nothing changed. Run the deploy again.',
  ],
  'cloudformation.changeSetTimedOut': [
    { kind: 'cloudformation.changeSetTimedOut', status: 'CREATE_IN_PROGRESS', seconds: 60 },
    'The change set was still CREATE_IN_PROGRESS after 60s.',
  ],
  'cloudformation.operationFailed': [
    {
      kind: 'cloudformation.operationFailed',
      of: 'stack',
      name: 'todo-prod',
      status: 'UPDATE_ROLLBACK_COMPLETE',
      firstFailure: { logicalId: 'Service', resourceType: 'AWS::ECS::Service', reason: 'circuit breaker' },
      account: 'The following resource(s) failed to update: [Service].',
    },
    'Stack todo-prod ended UPDATE_ROLLBACK_COMPLETE. First failure: Service (AWS::ECS::Service): circuit breaker',
  ],
  'cloudformation.stackStatus': [
    { kind: 'cloudformation.stackStatus', status: 'UPDATE_COMPLETE' },
    'UPDATE_COMPLETE',
  ],
};

describe('CloudFormation facts, worded', () => {
  it.each(Object.values(WORDED))('%j', (fact, words) => {
    expect(CloudFormationFact.parse(fact)).toEqual(fact);
    expect(sayFact(fact)).toBe(words);
  });

  it('a resource event without a reason ends at its status', () => {
    const fact = WORDED['cloudformation.resourceEvent'][0];
    expect(sayFact({ ...fact, reason: undefined })).toBe('`Service` AWS::ECS::Service *UPDATE_FAILED*');
  });

  it('a refusal without a status reason or a token says only what it knows', () => {
    expect(
      sayFact({
        kind: 'cloudformation.changeSetNotAvailable',
        changeSet: 'c',
        executionStatus: 'EXECUTE_COMPLETE',
      }),
    ).toBe(
      'The change set is EXECUTE_COMPLETE, so it was not executed. Prepare a fresh change set to try again.',
    );
    expect(
      sayFact({ kind: 'cloudformation.stackChanged', stack: 'todo-prod', status: 'UPDATE_COMPLETE' }),
    ).toBe(
      'Stack todo-prod changed since this change set was made (now UPDATE_COMPLETE), so it was not executed. Prepare a fresh change set to try again.',
    );
  });

  it('a failed operation falls back on its own account, then on saying no resource was reported', () => {
    const base = {
      kind: 'cloudformation.operationFailed',
      of: 'changeSet',
      name: 'cs-1',
      status: 'EXECUTE_FAILED',
    } as const;
    expect(sayFact({ ...base, account: 'hook failed' })).toBe(
      'Change set cs-1 ended EXECUTE_FAILED. First failure: hook failed',
    );
    expect(sayFact(base)).toBe(
      'Change set cs-1 ended EXECUTE_FAILED. First failure: no failing resource reported',
    );
  });

  it('a rollback trigger that went off comes first: named when the account names it, else one of the triggers', () => {
    const base = {
      kind: 'cloudformation.operationFailed',
      of: 'stack',
      name: 'todo-prod',
      status: 'UPDATE_ROLLBACK_COMPLETE',
      account: 'Received ALARM state from rollback trigger arn:aws:cloudwatch:us-east-1:1:alarm:todo-<5xx>',
    } as const;
    const named = { ...base, triggered: { alarms: ['todo-<5xx>'], named: true } };
    expect(CloudFormationFact.parse(named)).toEqual(named);
    expect(sayFact(named)).toBe(
      ':rotating_light: Alarm `todo-&lt;5xx&gt;` went off: CloudFormation rolled the update back. Stack todo-prod ended UPDATE_ROLLBACK_COMPLETE. First failure: Received ALARM state from rollback trigger arn:aws:cloudwatch:us-east-1:1:alarm:todo-&lt;5xx&gt;',
    );
    expect(sayFact({ ...base, triggered: { alarms: ['a', 'b'], named: false } })).toMatch(
      /^:rotating_light: A rollback trigger went off \(one of `a`, `b`\): CloudFormation rolled the update back\. /,
    );
  });

  it('escapes what came from CloudFormation exactly once', () => {
    expect(
      sayFact({
        kind: 'cloudformation.resourceEvent',
        logicalId: 'A<b>',
        resourceType: 'AWS::X::Y',
        status: 'UPDATE_FAILED',
        reason: '*bold* & <!channel> &amp;',
      }),
    ).toBe('`A&lt;b&gt;` AWS::X::Y *UPDATE_FAILED*: *bold* &amp; &lt;!channel&gt; &amp;amp;');
    expect(
      sayFact({
        kind: 'cloudformation.operationFailed',
        of: 'stack',
        name: 'todo-prod',
        status: 'UPDATE_ROLLBACK_COMPLETE',
        firstFailure: {
          logicalId: 'Service',
          resourceType: 'AWS::ECS::Service',
          reason: 'a < b & <@U0ADMIN>',
        },
      }),
    ).toBe(
      'Stack todo-prod ended UPDATE_ROLLBACK_COMPLETE. First failure: Service (AWS::ECS::Service): a &lt; b &amp; &lt;@U0ADMIN&gt;',
    );
    expect(sayFact({ kind: 'cloudformation.changeSetFailed', reason: 'Template <format> & *error*' })).toBe(
      'CloudFormation could not create the change set: Template &lt;format&gt; &amp; *error*',
    );
  });
});
