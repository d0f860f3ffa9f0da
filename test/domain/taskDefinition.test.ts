import { describe, expect, it } from 'vitest';
import {
  ContainerNotFound,
  READ_ONLY_MEMBERS,
  type TaskDefinitionDocument,
  diffTaskDefinitions,
  nextRevision,
} from '../../src/domain/taskDefinition.js';
import { REPO_URI, taskDefinition } from '../fixtures/ecs.js';

const current = (): TaskDefinitionDocument => {
  const out = taskDefinition(41, `${REPO_URI}:1.2.2`, '1.2.2');
  return {
    taskDefinition: JSON.parse(
      JSON.stringify(out.taskDefinition),
    ) as TaskDefinitionDocument['taskDefinition'],
    tags: (out.tags ?? []).map((t) => ({ key: t.key!, value: t.value! })),
  };
};
const NEW_IMAGE = `${REPO_URI}@sha256:${'a'.repeat(64)}`;

describe('nextRevision', () => {
  it('changes only the configured container image and keeps sidecars, secrets and log configuration', () => {
    const before = current();
    const next = nextRevision(before, {
      container: 'app',
      image: NEW_IMAGE,
      version: '1.2.3',
      requestedBy: 'U0ALICE',
    });
    const [app, sidecar] = next.taskDefinition.containerDefinitions ?? [];
    expect(app?.image).toBe(NEW_IMAGE);
    expect(app?.secrets).toEqual(before.taskDefinition.containerDefinitions?.[0]?.secrets);
    expect(app?.logConfiguration).toEqual(before.taskDefinition.containerDefinitions?.[0]?.logConfiguration);
    expect(app?.dependsOn).toEqual([{ containerName: 'log-router', condition: 'START' }]);
    expect(sidecar).toEqual(before.taskDefinition.containerDefinitions?.[1]);
    expect(next.taskDefinition.taskRoleArn).toBe(before.taskDefinition.taskRoleArn);
    expect(next.taskDefinition.cpu).toBe('512');
  });

  it('strips every read-only member and leaves the input untouched', () => {
    const before = current();
    const snapshot = JSON.stringify(before);
    const next = nextRevision(before, {
      container: 'app',
      image: NEW_IMAGE,
      version: '1.2.3',
      requestedBy: 'U0ALICE',
    });
    for (const m of READ_ONLY_MEMBERS) expect(next.taskDefinition).not.toHaveProperty(m);
    expect(JSON.stringify(before)).toBe(snapshot);
  });

  it('carries tags over with Version and the requester replaced, not duplicated', () => {
    const once = nextRevision(current(), {
      container: 'app',
      image: NEW_IMAGE,
      version: '1.2.3',
      requestedBy: 'U0ALICE',
    });
    const twice = nextRevision(once, {
      container: 'app',
      image: NEW_IMAGE,
      version: '1.2.4',
      requestedBy: 'U0BOB',
    });
    expect(twice.tags).toEqual([
      { key: 'team', value: 'todo' },
      { key: 'Version', value: '1.2.4' },
      { key: 'capstan:requested-by', value: 'U0BOB' },
    ]);
  });

  it('names the containers there are when the configured one is missing', () => {
    expect(() =>
      nextRevision(current(), { container: 'web', image: NEW_IMAGE, version: '1', requestedBy: 'U' }),
    ).toThrow(ContainerNotFound);
    try {
      nextRevision(current(), { container: 'web', image: NEW_IMAGE, version: '1', requestedBy: 'U' });
    } catch (e) {
      expect((e as ContainerNotFound).available).toEqual(['app', 'log-router']);
    }
  });

  it('the diff shows exactly the image change', () => {
    const before = current();
    const next = nextRevision(before, {
      container: 'app',
      image: NEW_IMAGE,
      version: '1.2.3',
      requestedBy: 'U',
    });
    const stripped = { ...before.taskDefinition };
    for (const m of READ_ONLY_MEMBERS) delete (stripped as Record<string, unknown>)[m];
    expect(diffTaskDefinitions(stripped, next.taskDefinition)).toEqual([
      `containerDefinitions[app].image: ${REPO_URI}:1.2.2 → ${NEW_IMAGE}`,
    ]);
  });
});
