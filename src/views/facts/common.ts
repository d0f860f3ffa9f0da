import type { CommonFact } from '../../domain/facts/common.js';
import { escape } from '../message.js';
import type { Words } from './words.js';

export const commonWords: Words<CommonFact> = {
  'aws.callFailed': (f) =>
    `:warning: Could not read ${escape(f.what)}${f.action ? ` (${escape(f.action)})` : ''}: ${escape(f.message)}`,
};
