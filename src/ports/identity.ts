/** Who is behind the AWS calls made inside AwsIdentity.run(). */
export interface AwsCaller {
  /** The environment's role: assumed for these calls, with `user` as the session's source identity. Absent: Capstan's own credentials. */
  readonly roleArn?: string | undefined;
  /** The Slack user id of the person behind the calls, or CAPSTAN for Capstan's own reads. */
  readonly user: string;
  /** The region whose STS endpoint is asked (the target's region). */
  readonly region: string;
}

/**
 * Carries the person behind AWS calls to the adapters, so that CloudTrail names them, while
 * strategies and use cases never see credentials: the use case says who acts, the SDK clients
 * made inside `fn` carry that person's role session.
 */
export interface AwsIdentity {
  run<T>(caller: AwsCaller, fn: () => Promise<T>): Promise<T>;
}

/** The source identity of calls nobody asked for at that moment: status reads, expiries. */
export const CAPSTAN = 'capstan';
