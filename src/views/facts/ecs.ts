import type { EcsFact } from '../../domain/facts/ecs.js';
import { escape } from '../message.js';
import type { Words } from './words.js';

export const ecsWords: Words<EcsFact> = {
  'ecs.taskStopped': (f) => `:x: Task \`${escape(f.id)}\` stopped: ${escape(f.reason)}`,
};
