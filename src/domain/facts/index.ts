import { z } from 'zod';
import { BeanstalkFact } from './beanstalk.js';
import { CloudFormationFact } from './cloudformation.js';
import { CodeDeployFact } from './codedeploy.js';
import { CommonFact } from './common.js';
import { EcsFact } from './ecs.js';
import { PromotionFact } from './promotion.js';
import { RolloutFact } from './rollout.js';
import { VerifyFact } from './verify.js';

/**
 * Everything Capstan reports to people, as data: what a target saw (a task stopped, a resource
 * failed, an AWS event), what a use case decided, why something was refused. Strategies and use
 * cases return facts; src/views alone words them. Facts are plain JSON with a schema, so one kept
 * in the ledger (a deployment's cause) is decoded when read back.
 *
 * Each kind is named `<area>.<what>`; each area keeps its facts in its own file.
 */
export const Fact = z.union([
  CommonFact,
  EcsFact,
  CloudFormationFact,
  BeanstalkFact,
  CodeDeployFact,
  RolloutFact,
  PromotionFact,
  VerifyFact,
]);
export type Fact = z.infer<typeof Fact>;
export type FactKind = Fact['kind'];

/** One line for the log (not for people): the kind and its fields. */
export function factForLog(f: Fact): string {
  const { kind, ...fields } = f;
  return `${kind} ${JSON.stringify(fields)}`;
}
