/**
 * CodePipeline's manual approvals relayed to Slack: what arrives through SNS (relay/receive.ts) and
 * what a click on a relayed approval decides (relay/decide.ts).
 */
export type { RelayDeps } from './relay/deps.js';
export { type PipelineDecision, decidePipelineApproval } from './relay/decide.js';
export {
  type RelayOutcome,
  approvalNotification,
  pipelineEvent,
  relayNotification,
} from './relay/receive.js';
