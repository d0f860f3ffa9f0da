import { z } from 'zod';

/** What the Elastic Beanstalk strategy reports (src/views/facts/beanstalk.ts words them). */

/** An event of the environment, as Elastic Beanstalk reported it. */
export const beanstalkEvent = z.object({
  kind: z.literal('beanstalk.event'),
  at: z.number(),
  severity: z.string(),
  message: z.string(),
});

export const BeanstalkFact = z.discriminatedUnion('kind', [beanstalkEvent]);
export type BeanstalkFact = z.infer<typeof BeanstalkFact>;
