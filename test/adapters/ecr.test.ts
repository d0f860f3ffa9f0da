import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createEcrAdapter } from '../../src/adapters/aws/ecr.js';

const ecr = mockClient(ECRClient);
afterEach(() => ecr.reset());
// Test files share a worker without isolation: the real send comes back for the next file.
afterAll(() => ecr.restore());

const image = (tag: string, pushedAt: number) => ({
  imageTags: [tag],
  imageDigest: `sha256:${tag}`,
  imagePushedAt: new Date(pushedAt),
});

describe('ECR adapter: the most recently pushed tags', () => {
  it('reads the pages through the SDK paginator and returns the newest tags across them', async () => {
    const asked: (string | undefined)[] = [];
    ecr.on(DescribeImagesCommand).callsFake((input: { nextToken?: string; maxResults?: number }) => {
      asked.push(`${input.nextToken ?? 'first'} ${input.maxResults}`);
      return input.nextToken === 'p2'
        ? { imageDetails: [image('d', 4), image('b', 2)] }
        : { imageDetails: [image('a', 1), image('c', 3)], nextToken: 'p2' };
    });
    const tags = await createEcrAdapter(() => new ECRClient({ region: 'us-east-1' })).recentTags(
      'us-east-1',
      'todobackend',
      3,
    );
    expect(tags).toEqual(['d', 'c', 'b']);
    expect(asked).toEqual(['first 1000', 'p2 1000']);
  });

  it('stops after five pages of a repository with thousands of images', async () => {
    let page = 0;
    ecr.on(DescribeImagesCommand).callsFake(() => {
      page += 1;
      return { imageDetails: [image(`t${page}`, page)], nextToken: `p${page + 1}` };
    });
    const tags = await createEcrAdapter(() => new ECRClient({ region: 'us-east-1' })).recentTags(
      'us-east-1',
      'todobackend',
      10,
    );
    expect(ecr.commandCalls(DescribeImagesCommand)).toHaveLength(5);
    expect(tags).toEqual(['t5', 't4', 't3', 't2', 't1']);
  });

  it('a denied read names the action and the repository', async () => {
    ecr.on(DescribeImagesCommand).rejects(
      Object.assign(new Error('not authorized'), {
        name: 'AccessDeniedException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    await expect(
      createEcrAdapter(() => new ECRClient({ region: 'us-east-1' })).recentTags(
        'us-east-1',
        'todobackend',
        5,
      ),
    ).rejects.toMatchObject({
      code: 'access_denied',
      fact: {
        kind: 'aws.accessDenied',
        action: 'ecr:DescribeImages',
        resource: 'ECR repository todobackend',
      },
    });
  });
});

describe('ECR adapter: an image found by its digest', () => {
  const adapter = () => createEcrAdapter(() => new ECRClient({ region: 'us-east-1' }));

  it('asks for the digest, names it as the caller says, and lists every tag it carries there', async () => {
    ecr.on(DescribeImagesCommand).resolves({
      imageDetails: [
        {
          registryId: '210987654321',
          imageDigest: 'sha256:abc',
          imageTags: ['release-7', 'stable'],
          imagePushedAt: new Date(5000),
        },
      ],
    });
    const found = await adapter().findDigest('us-east-1', 'todobackend-prod', 'sha256:abc', '1.2.3');
    expect(ecr.commandCalls(DescribeImagesCommand)[0]!.args[0].input).toEqual({
      repositoryName: 'todobackend-prod',
      imageIds: [{ imageDigest: 'sha256:abc' }],
    });
    expect(found).toEqual({
      tag: '1.2.3',
      digest: 'sha256:abc',
      repositoryUri: '210987654321.dkr.ecr.us-east-1.amazonaws.com/todobackend-prod',
      pushedAt: 5000,
      tags: ['release-7', 'stable'],
    });
  });

  it('undefined when the repository holds no image with that digest', async () => {
    ecr
      .on(DescribeImagesCommand)
      .rejects(Object.assign(new Error('not there'), { name: 'ImageNotFoundException', $metadata: {} }));
    expect(
      await adapter().findDigest('us-east-1', 'todobackend-prod', 'sha256:abc', '1.2.3'),
    ).toBeUndefined();
  });
});
