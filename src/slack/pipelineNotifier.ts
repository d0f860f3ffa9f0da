import type { Chat, GroupResolver } from '../ports/chat.js';
import type { Clock } from '../ports/clock.js';
import type { PipelineNotifier } from '../ports/pipelineNotifier.js';
import { pipelineApprovalMessage, stageChangeLine } from '../views/pipeline.js';

export function createPipelineNotifier(chat: Chat, clock: Clock, groups?: GroupResolver): PipelineNotifier {
  // Approver groups are mentioned, so they are notified when an approval is relayed.
  const groupIds = () => groups?.groupIds().catch(() => undefined) ?? Promise.resolve(undefined);
  return {
    async post(a, policy) {
      return (await chat.post(a.channel, pipelineApprovalMessage(a, policy, clock.now(), await groupIds())))
        .ts;
    },
    async update(a, policy) {
      if (a.messageTs)
        await chat.update(
          a.channel,
          a.messageTs,
          pipelineApprovalMessage(a, policy, clock.now(), await groupIds()),
        );
    },
    async stageChanged(channel, change) {
      await chat.post(channel, { text: stageChangeLine(change) });
    },
    displayName: (userId) => chat.displayName(userId),
  };
}
