import type { Catalog } from '../domain/catalog.js';
import type { Logger } from '../lib/logger.js';
import type { Alarms } from '../ports/alarms.js';
import { checkAlarmConfig } from '../usecases/verify/configCheck.js';

/**
 * Once Capstan is up: an alarm pattern in capstan.yml that matches no alarm is a configuration error,
 * said in the log at start (each deploy there is refused at pre-flight, naming it, until it matches).
 */
export async function reportAlarmConfig(alarms: Alarms, catalog: Catalog, logger: Logger): Promise<void> {
  if (!catalog.apps.some((a) => a.environments.some((e) => e.verify !== undefined))) return;
  for (const p of await checkAlarmConfig(alarms, catalog)) {
    if (p.kind === 'unmatched')
      logger.error(
        'capstan.yml: verify.alarms match no CloudWatch alarm; deploys there are refused until they do',
        {
          app: p.app,
          env: p.env,
          region: p.region,
          patterns: p.patterns,
        },
      );
    else
      logger.warn('could not read the alarms verify.alarms names; checked again at each deploy', {
        app: p.app,
        env: p.env,
        region: p.region,
        error: p.error,
      });
  }
}
