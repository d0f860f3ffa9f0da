import { describe, expect, it } from 'vitest';
import { CapstanError } from '../../../src/domain/errors.js';
import {
  type RevisionSource,
  planRevision,
  readRevisionSource,
  revisionSourceSchema,
} from '../../../src/targets/shared/taskDefinition.js';
import { sayError } from '../../../src/views/facts/index.js';

const REPO = '123456789012.dkr.ecr.us-east-1.amazonaws.com/todo';
const DIGEST = `sha256:${'b'.repeat(64)}`;
const ARN = 'arn:aws:ecs:us-east-1:123456789012:task-definition/todo:41';

const source = (image = `${REPO}:1.0.0`): RevisionSource => ({
  currentArn: ARN,
  current: {
    taskDefinition: {
      family: 'todo',
      taskDefinitionArn: ARN,
      revision: 41,
      status: 'ACTIVE',
      memory: '512',
      containerDefinitions: [
        { name: 'app', image },
        { name: 'sidecar', image: 'envoy:1' },
      ],
    },
    tags: [
      { key: 'Version', value: '1.0.0' },
      { key: 'owner', value: 'todo-team' },
    ],
  },
  image: { repositoryUri: REPO, digest: DIGEST },
});

describe('planRevision: the next task definition revision, from the one the service runs now', () => {
  it('changes only the container image, pinned by digest, and sets the version and the requester', () => {
    const planned = planRevision(source(), { container: 'app', version: '1.1.0', requestedBy: 'U0ALICE' });
    expect(planned.image).toBe(`${REPO}@${DIGEST}`);
    expect(planned.next).toEqual({
      taskDefinition: {
        family: 'todo',
        memory: '512',
        containerDefinitions: [
          { name: 'app', image: `${REPO}@${DIGEST}` },
          { name: 'sidecar', image: 'envoy:1' },
        ],
      },
      tags: [
        { key: 'owner', value: 'todo-team' },
        { key: 'Version', value: '1.1.0' },
        { key: 'capstan:requested-by', value: 'U0ALICE' },
      ],
    });
    // Read-only members (revision, status…) are not differences anyone asked for.
    expect(planned.changes).toEqual([`containerDefinitions[app].image: ${REPO}:1.0.0 → ${REPO}@${DIGEST}`]);
    expect(planned.unchanged).toBe(false);
  });

  it('is unchanged when the service already runs that digest', () => {
    const planned = planRevision(source(`${REPO}@${DIGEST}`), {
      container: 'app',
      version: '1.1.0',
      requestedBy: 'U0ALICE',
    });
    expect(planned.unchanged).toBe(true);
    expect(planned.changes).toEqual([]);
  });

  it('refuses a container the task definition does not have, naming the ones it has and the fix', () => {
    const refuse = () =>
      planRevision(source(), { container: 'web', version: '1.1.0', requestedBy: 'U0ALICE' });
    let refusal: unknown;
    try {
      refuse();
    } catch (e) {
      refusal = e;
    }
    if (!(refusal instanceof CapstanError))
      throw new Error(`expected a CapstanError, got ${String(refusal)}`);
    expect(refusal.fact).toEqual({
      kind: 'ecs.containerNotFound',
      taskDefinition: ARN,
      container: 'web',
      available: ['app', 'sidecar'],
    });
    expect(sayError(refusal)).toBe(
      `Task definition ${ARN} has no container "web" (it has app, sidecar); fix \`container\` in capstan.yml.`,
    );
  });

  it('reads the running revision and keeps only the repository and digest of the image', async () => {
    const read: string[] = [];
    const ecs = {
      describeTaskDefinition: async (region: string, arn: string) => {
        read.push(`${region} ${arn}`);
        return source().current;
      },
    };
    const image = { tag: '1.1.0', digest: DIGEST, repositoryUri: REPO, pushedAt: 1 };
    const got = await readRevisionSource(ecs, 'us-east-1', ARN, image);
    expect(read).toEqual([`us-east-1 ${ARN}`]);
    expect(got).toEqual(source());
    expect(revisionSourceSchema.parse(JSON.parse(JSON.stringify(got)))).toEqual(got);
  });
});
