import type { Beanstalk } from '../../ports/beanstalk.js';
import type { ObjectStore } from '../../ports/objects.js';
import type { Registry } from '../../ports/registry.js';

export interface BeanstalkStrategyDeps {
  readonly beanstalk: Beanstalk;
  readonly objects: ObjectStore;
  readonly registry: Registry;
  readonly now: () => number;
}
