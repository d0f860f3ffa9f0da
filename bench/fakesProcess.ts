import { SimulatedAws } from '../sandbox/aws/server.js';
import { SlackStandIn } from '../sandbox/slackApi.js';

/*
 * The simulated AWS account and the Slack stand-in, in a process of their own (forked by bench/ack.ts
 * over IPC): the client that measures acknowledgements then waits on no work of theirs, so what
 * Capstan does after it acknowledges (status answers to response_url, ECS reads) cannot delay
 * reading the acknowledgements of the app beside it.
 */
const aws = new SimulatedAws(1000);
const slack = new SlackStandIn();
await aws.start();
await slack.start();
process.send?.({ awsUrl: aws.url, slackUrl: slack.url, apiUrl: slack.apiUrl });
// Orphaned (the bench died): nothing holds the ports.
process.once('disconnect', () => process.exit(0));
process.on('message', (m: { kind: string }) => {
  if (m.kind === 'answers')
    process.send?.({ answers: slack.responses.map((r) => ({ url: r.url, ...r.body })) });
  if (m.kind === 'count') process.send?.({ got: slack.responses.length });
  if (m.kind === 'stop') void Promise.all([aws.stop(), slack.stop()]).then(() => process.exit(0));
});
