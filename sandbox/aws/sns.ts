import { createSign, randomUUID } from 'node:crypto';
import { AwsError } from './errors.js';

export interface SnsSigningKey {
  readonly cert: string;
  readonly key: string;
  readonly certUrl: string;
}

const NOTIFICATION_KEYS = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'];
const CONFIRMATION_KEYS = ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];

/**
 * The sandbox's SNS topic with one HTTP subscriber (Capstan's /sns). Messages are signed like
 * SNS's, with the sandbox's own certificate, which only a Capstan started by the sandbox trusts.
 */
export class SimSns {
  confirmed = false;
  readonly delivered: { type: string; status: number; messageId: string }[] = [];
  private pendingToken: string | undefined;

  constructor(
    readonly topicArn: string,
    private readonly signing: SnsSigningKey,
    private endpoint: string,
  ) {}

  setEndpoint(url: string): void {
    this.endpoint = url;
  }

  private sign(m: Record<string, string | undefined>): Record<string, string> {
    const keys = m.Type === 'Notification' ? NOTIFICATION_KEYS : CONFIRMATION_KEYS;
    const text = keys
      .filter((k) => m[k] !== undefined)
      .map((k) => `${k}\n${m[k]}\n`)
      .join('');
    const signature = createSign('RSA-SHA1').update(text, 'utf8').sign(this.signing.key, 'base64');
    return {
      ...(m as Record<string, string>),
      SignatureVersion: '1',
      Signature: signature,
      SigningCertURL: this.signing.certUrl,
    };
  }

  private async deliver(m: Record<string, string>): Promise<number> {
    for (let attempt = 0; attempt < 4; attempt++) {
      try {
        const r = await fetch(this.endpoint, {
          method: 'POST',
          body: JSON.stringify(m),
          headers: {
            'content-type': 'text/plain; charset=UTF-8',
            'x-amz-sns-message-type': m.Type ?? '',
            'x-amz-sns-message-id': m.MessageId ?? '',
            'x-amz-sns-topic-arn': this.topicArn,
            'user-agent': 'Amazon Simple Notification Service Agent',
          },
        });
        this.delivered.push({ type: m.Type ?? '', status: r.status, messageId: m.MessageId ?? '' });
        // SNS retries only when the answer is outside 200–4xx.
        if (r.status < 500) return r.status;
      } catch {
        this.delivered.push({ type: m.Type ?? '', status: 0, messageId: m.MessageId ?? '' });
      }
      await new Promise((r) => setTimeout(r, 500 * (attempt + 1)));
    }
    return 0;
  }

  /** Sends the SubscriptionConfirmation; Capstan answers with ConfirmSubscription. */
  async subscribe(): Promise<number> {
    this.pendingToken = randomUUID().replace(/-/g, '');
    return this.deliver(
      this.sign({
        Type: 'SubscriptionConfirmation',
        MessageId: randomUUID(),
        Token: this.pendingToken,
        TopicArn: this.topicArn,
        Message: `You have chosen to subscribe to the topic ${this.topicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
        SubscribeURL: `https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${this.topicArn}&Token=${this.pendingToken}`,
        Timestamp: new Date().toISOString(),
      }),
    );
  }

  ConfirmSubscription(input: { TopicArn: string; Token: string }) {
    if (input.TopicArn !== this.topicArn || input.Token !== this.pendingToken) {
      throw new AwsError('InvalidParameter', 'Invalid parameter: Token');
    }
    this.confirmed = true;
    return { SubscriptionArn: `${this.topicArn}:${randomUUID()}` };
  }

  async publish(message: unknown, subject?: string): Promise<number> {
    if (!this.confirmed) return 0;
    return this.deliver(
      this.sign({
        Type: 'Notification',
        MessageId: randomUUID(),
        TopicArn: this.topicArn,
        Subject: subject,
        Message: typeof message === 'string' ? message : JSON.stringify(message),
        Timestamp: new Date().toISOString(),
        UnsubscribeURL: `https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${this.topicArn}:sandbox`,
      }),
    );
  }
}
