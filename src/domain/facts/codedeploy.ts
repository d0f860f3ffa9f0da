import { z } from 'zod';

/** What the CodeDeploy strategies report (src/views/facts/codedeploy.ts words them). */

/** Capstan started a CodeDeploy deployment. */
export const codedeployStarted = z.object({
  kind: z.literal('codedeploy.started'),
  deploymentId: z.string(),
  group: z.string(),
});

export const CodeDeployFact = z.discriminatedUnion('kind', [codedeployStarted]);
export type CodeDeployFact = z.infer<typeof CodeDeployFact>;
