import type { RolloutFact } from '../../domain/facts/rollout.js';
import type { Words } from './words.js';

export const rolloutWords: Words<RolloutFact> = {
  'rollout.resumed': (f) => `Capstan restarted and picked ${f.phase === 'rollback' ? 'the rollback' : 'this rollout'} up again.`,
};
