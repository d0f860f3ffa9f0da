import { TARGETS } from './verifyMatrix.js';
import { describeTakeover } from './verifyMatrixTakeover.js';

describeTakeover(TARGETS.filter((t) => t.name === 'CloudFormation'));
