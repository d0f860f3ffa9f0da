import type { CodeDeployFact } from '../../domain/facts/codedeploy.js';
import { escape } from '../message.js';
import type { Words } from './words.js';

export const codeDeployWords: Words<CodeDeployFact> = {
  'codedeploy.started': (f) =>
    `:rocket: CodeDeploy deployment \`${escape(f.deploymentId)}\` started in group \`${escape(f.group)}\`.`,
};
