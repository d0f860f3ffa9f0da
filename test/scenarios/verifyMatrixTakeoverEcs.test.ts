import { TARGETS } from './verifyMatrix.js';
import { describeTakeover } from './verifyMatrixTakeover.js';

// A takeover is the coordinator's, the same on every target (each target's own crash and restart in
// the middle of a look is in verifyMatrixRestart): run on the two ECS kinds here, CloudFormation apart.
describeTakeover(TARGETS.filter((t) => t.name === 'ECS rolling' || t.name === 'ECS progressive'));
