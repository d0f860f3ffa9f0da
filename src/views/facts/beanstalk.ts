import type { BeanstalkFact } from '../../domain/facts/beanstalk.js';
import { escape } from '../message.js';
import type { Words } from './words.js';

export const beanstalkWords: Words<BeanstalkFact> = {
  'beanstalk.event': (f) => `${f.severity === 'ERROR' || f.severity === 'FATAL' ? ':x:' : ':information_source:'} ${escape(f.message)}`,
};
