import { describe, expect, it } from 'vitest';
import type { PlannedResourceChange } from '../../src/domain/deployment.js';
import type { SlackMessage } from '../../src/views/message.js';
import { isFlagged, readableDiffLine, reviewBlocks } from '../../src/views/review.js';
import { REPO_URI } from '../fixtures/ecs.js';
import { CHANGE_SET_REVIEW, DIGEST_NEW, DIGEST_OLD, hugeChangeSet } from '../fixtures/deployments.js';
import { golden } from './blockKit.js';

const change = (
  resourceType: string,
  replacement: PlannedResourceChange['replacement'],
  action = 'Modify',
): PlannedResourceChange => ({ action, logicalId: 'X', resourceType, replacement });

const asMessage = (blocks: SlackMessage['blocks']): SlackMessage => ({ text: 'review', blocks });

describe('what a change set review flags', () => {
  it.each([
    ['AWS::RDS::DBInstance', 'True', ':rotating_light: *REPLACEMENT* (holds data)'],
    ['AWS::DynamoDB::Table', 'True', ':rotating_light: *REPLACEMENT* (holds data)'],
    ['AWS::S3::Bucket', 'True', ':rotating_light: *REPLACEMENT* (holds data)'],
    ['AWS::EFS::FileSystem', 'Conditional', ':warning: *conditional replacement* (holds data)'],
    ['AWS::ElastiCache::ReplicationGroup', 'True', ':rotating_light: *REPLACEMENT* (holds data)'],
    ['AWS::SQS::Queue', 'True', ':rotating_light: *REPLACEMENT* (holds data)'],
    ['AWS::Kinesis::Stream', 'True', ':rotating_light: *REPLACEMENT* (holds data)'],
    ['AWS::OpenSearchService::Domain', 'True', ':rotating_light: *REPLACEMENT* (holds data)'],
    ['AWS::ElasticLoadBalancingV2::LoadBalancer', 'True', ':rotating_light: *REPLACEMENT* (carries traffic)'],
    ['AWS::ECS::Service', 'True', ':rotating_light: *REPLACEMENT* (carries traffic)'],
    ['AWS::Lambda::Function', 'True', ':rotating_light: *REPLACEMENT*'],
  ] as const)('a replacement of %s (%s)', (type, replacement, flag) => {
    expect(isFlagged(change(type, replacement))).toEqual([flag]);
  });

  it('a task definition replaced for a new image is expected, not a danger', () => {
    expect(isFlagged(change('AWS::ECS::TaskDefinition', 'True'))).toEqual([]);
    expect(isFlagged(change('AWS::ECS::TaskDefinition', 'Conditional'))).toEqual([]);
  });

  it('removals and IAM changes, whatever they touch', () => {
    expect(isFlagged(change('AWS::ECS::TaskDefinition', undefined, 'Remove'))).toEqual([
      ':wastebasket: *REMOVE*',
    ]);
    expect(isFlagged(change('AWS::IAM::Policy', 'False'))).toEqual([':closed_lock_with_key: IAM']);
    expect(isFlagged(change('AWS::EC2::SecurityGroupIngress', 'False'))).toEqual([':shield: security group']);
    expect(isFlagged(change('AWS::Lambda::Function', 'False'))).toEqual([]);
  });

  it('the warning counts only what deserves a second look, and the expected replacement is listed last', async () => {
    const blocks = reviewBlocks(CHANGE_SET_REVIEW, 20);
    await golden('review/change-set', asMessage(blocks));
    const text = JSON.stringify(blocks);
    expect(text).toContain(
      '1 resource *replaced*, 1 *removed*, 1 IAM or security-group change; 1 replaced resource holds data or traffic.',
    );
    expect(text).toContain('`Modify` *TaskDefinition* AWS::ECS::TaskDefinition · new revision (expected)"');
  });

  it('an image-only change set raises no warning at all', () => {
    const blocks = reviewBlocks(
      {
        ...CHANGE_SET_REVIEW,
        changes: [change('AWS::ECS::TaskDefinition', 'True'), change('AWS::ECS::Service', 'False')],
      },
      20,
    );
    expect(JSON.stringify(blocks)).not.toContain('Look closely');
    expect(JSON.stringify(blocks)).not.toContain(':rotating_light:');
  });

  it('a change set larger than a message stays inside the limits, dangers first, with the console for the rest', async () => {
    const blocks = reviewBlocks(hugeChangeSet(), 45);
    await golden('review/huge-change-set', asMessage(blocks));
    const text = JSON.stringify(blocks);
    expect((text.match(/REPLACEMENT\* \(holds data\)/g) ?? []).length).toBe(13);
    expect(text).toMatch(/…and \d+ more: <https:\/\/console\.aws\.amazon\.com\/cloudformation/);
  });
});

describe('difference lines', () => {
  it('an image pinned by digest reads as its tag and a short digest', () => {
    expect(
      readableDiffLine(
        `containerDefinitions[app].image: ${REPO_URI}@${DIGEST_OLD} → ${REPO_URI}@${DIGEST_NEW}`,
        {
          from: '1.2.2',
          to: '1.2.3',
        },
      ),
    ).toBe(
      'containerDefinitions[app].image: todobackend:1.2.2 (sha256:9f86d081884c) → todobackend:1.2.3 (sha256:60303ae22b99)',
    );
  });

  it('a tag already in the reference is kept; other lines are left alone', () => {
    expect(
      readableDiffLine(`containerDefinitions[app].image: ${REPO_URI}:1.2.2 → ${REPO_URI}@${DIGEST_NEW}`, {
        to: '1.2.3',
      }),
    ).toBe(`containerDefinitions[app].image: ${REPO_URI}:1.2.2 → todobackend:1.2.3 (sha256:60303ae22b99)`);
    expect(readableDiffLine('memory: 512 → 1024')).toBe('memory: 512 → 1024');
  });

  it('without versions, a pinned reference still loses its registry and long digest', () => {
    expect(readableDiffLine(`Image.Name: ${REPO_URI}@${DIGEST_NEW}`)).toBe(
      'Image.Name: todobackend (sha256:60303ae22b99)',
    );
  });
});
