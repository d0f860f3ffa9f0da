import type { Chat } from '../ports/chat.js';
import type { Clock } from '../ports/clock.js';
import type { PipelineNotifier } from '../ports/pipelineNotifier.js';
import { pipelineApprovalMessage, stageChangeLine } from '../views/pipeline.js';

export function createPipelineNotifier(chat: Chat, clock: Clock): PipelineNotifier {
  return {
    async post(a, policy) {
      return (await chat.post(a.channel, pipelineApprovalMessage(a, policy, clock.now()))).ts;
    },
    async update(a, policy) {
      if (a.messageTs)
        await chat.update(a.channel, a.messageTs, pipelineApprovalMessage(a, policy, clock.now()));
    },
    async stageChanged(channel, change) {
      await chat.post(channel, { text: stageChangeLine(change) });
    },
    displayName: (userId) => chat.displayName(userId),
  };
}
