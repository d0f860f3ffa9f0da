import type { CloudFormationFact } from '../../domain/facts/cloudformation.js';
import { escape } from '../message.js';
import type { Words } from './words.js';

export const cloudFormationWords: Words<CloudFormationFact> = {
  'cloudformation.resourceEvent': (f) =>
    `\`${escape(f.logicalId)}\` ${escape(f.resourceType)} *${escape(f.status)}*${f.reason ? `: ${escape(f.reason)}` : ''}`,
};
