// The baseline Capstan's acknowledgement time is compared with: a bare Bolt app with the HTTP
// receiver, the same signing secret and Web API address, and a /deploy handler that only
// acknowledges. Plain JavaScript run by node, like dist/main.js, so neither side pays for a
// TypeScript loader. Writes "ready" once it listens.
import process from 'node:process';
import { App, LogLevel } from '@slack/bolt';

const app = new App({
  token: process.env.SLACK_BOT_TOKEN,
  signingSecret: process.env.SLACK_SIGNING_SECRET,
  clientOptions: { slackApiUrl: process.env.SLACK_API_URL },
  logLevel: LogLevel.WARN,
});

app.command('/deploy', async ({ ack }) => {
  await ack();
});

await app.start({ port: Number(process.env.PORT), host: process.env.HOST });
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  void app.stop().finally(() => process.exit(0));
});
