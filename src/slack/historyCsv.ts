import type { Clock } from '../ports/clock.js';
import type { FileSharing } from '../ports/files.js';
import type { Store } from '../ports/store.js';
import { MAX_ENTRIES } from '../usecases/stats/read.js';
import { historyCsv } from '../views/csv.js';
import { exportFailedText, exportFilename, exportSharedText } from '../views/export.js';
import { notice } from '../views/help.js';
import type { Logger } from '../lib/logger.js';
import { errorMessage } from '../lib/errors.js';
import type { Actor, Reply } from './dispatch.js';
import { slackCode } from './statsChart.js';

export interface CsvDeps {
  readonly files: FileSharing;
  readonly logger: Logger;
  /** Told whether the export was shared (`ok`) or what Slack said (the /metrics counter). */
  readonly onShared?: ((result: string) => void) | undefined;
}

/** `/deploy history <app> [<env>] --csv`: every entry of the ledger there, shared in the channel as a CSV file. */
export async function exportHistory(
  deps: CsvDeps & { readonly store: Store; readonly clock: Clock },
  cmd: { readonly app: string; readonly env?: string | undefined },
  actor: Actor,
): Promise<Reply> {
  const entries = await deps.store.history(cmd.app, cmd.env, MAX_ENTRIES);
  const reply = (text: string): Reply => ({ visibility: 'ephemeral', message: notice(text) });
  if (entries.length === 0) return reply(exportSharedText(cmd.app, cmd.env, 0, false));
  const filename = exportFilename(cmd.app, cmd.env, deps.clock.now());
  try {
    await deps.files.share({
      channel: actor.channelId,
      filename,
      title: filename,
      content: Buffer.from(historyCsv(entries), 'utf8'),
    });
    deps.onShared?.('ok');
  } catch (e) {
    deps.onShared?.(slackCode(e));
    deps.logger.warn('could not share the history export', {
      channel: actor.channelId,
      error: errorMessage(e),
    });
    return reply(exportFailedText(e));
  }
  return reply(exportSharedText(cmd.app, cmd.env, entries.length, entries.length === MAX_ENTRIES));
}
