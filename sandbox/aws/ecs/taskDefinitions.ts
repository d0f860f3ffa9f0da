import { AwsError } from '../errors.js';
import { ACCOUNT, REGION, now } from './model.js';

type Tags = { key: string; value: string }[];

/** What RegisterTaskDefinition refuses: fields only ECS writes. */
const READ_ONLY = [
  'taskDefinitionArn',
  'revision',
  'status',
  'requiresAttributes',
  'compatibilities',
  'registeredAt',
  'registeredBy',
];

/** Task definitions by ARN, each family numbered on from revision 41. */
export class TaskDefinitions {
  readonly byArn = new Map<string, { taskDefinition: Record<string, unknown>; tags: Tags }>();
  private readonly revisions = new Map<string, number>();

  register(td: Record<string, unknown>, tags: Tags): string {
    const family = String(td.family);
    const rev = (this.revisions.get(family) ?? 40) + 1;
    this.revisions.set(family, rev);
    const arn = `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${family}:${rev}`;
    this.byArn.set(arn, {
      taskDefinition: {
        ...td,
        taskDefinitionArn: arn,
        revision: rev,
        status: 'ACTIVE',
        compatibilities: ['EC2', 'FARGATE'],
        registeredAt: now(),
        registeredBy: `arn:aws:sts::${ACCOUNT}:assumed-role/capstan/sandbox`,
      },
      tags,
    });
    return arn;
  }

  /** By ARN, `family:revision`, or `family` (its latest revision). */
  find(ref: string) {
    const byArn = this.byArn.get(ref);
    if (byArn) return byArn;
    const [family, rev] = ref.split('/').pop()!.split(':');
    const wanted = rev ? Number(rev) : this.revisions.get(family ?? '');
    return this.byArn.get(`arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${family}:${wanted}`);
  }

  describe(input: { taskDefinition: string; include?: string[] }) {
    const td = this.find(input.taskDefinition);
    if (!td) throw new AwsError('ClientException', 'Unable to describe task definition.');
    const t = td.taskDefinition as { registeredAt: Date };
    return {
      taskDefinition: { ...td.taskDefinition, registeredAt: t.registeredAt.getTime() / 1000 },
      ...(input.include?.includes('TAGS') ? { tags: td.tags } : {}),
    };
  }

  registerFromApi(input: Record<string, unknown> & { tags?: Tags }) {
    for (const readOnly of READ_ONLY) {
      if (readOnly in input)
        throw new AwsError('ClientException', `Unexpected key '${readOnly}' found in params`);
    }
    const { tags, ...td } = input;
    const arn = this.register(td, tags ?? []);
    return { taskDefinition: this.describe({ taskDefinition: arn }).taskDefinition, tags };
  }
}
