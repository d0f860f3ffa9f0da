import type { CapstanError } from '../../domain/errors.js';
import type { Fact } from '../../domain/facts/index.js';
import { beanstalkWords } from './beanstalk.js';
import { cloudFormationWords } from './cloudformation.js';
import { codeDeployWords } from './codedeploy.js';
import { commonWords } from './common.js';
import { ecsWords } from './ecs.js';
import { rolloutWords } from './rollout.js';
import { promotionWords } from './promotion.js';
import { verifyWords } from './verify.js';
import type { Words } from './words.js';

const WORDS: Words<Fact> = {
  ...commonWords,
  ...ecsWords,
  ...cloudFormationWords,
  ...beanstalkWords,
  ...codeDeployWords,
  ...rolloutWords,
  ...promotionWords,
  ...verifyWords,
};

/** A fact as Slack mrkdwn: what came from outside escaped here, once. */
export function sayFact(fact: Fact): string {
  // Each kind's function takes exactly its fact (Words<Fact>); TypeScript cannot follow that
  // correlation through an index, hence the one widening here.
  const word = WORDS[fact.kind] as (f: Fact) => string;
  return word(fact);
}

/** What a refusal or failure says to people: its fact, worded. */
export function sayError(e: CapstanError): string {
  return sayFact(e.fact);
}
