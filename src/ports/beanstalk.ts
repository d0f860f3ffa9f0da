/** Elastic Beanstalk, as the Beanstalk target needs it: one application's environments and versions. */

export interface BeanstalkEnvironment {
  readonly name: string;
  readonly id: string;
  /** Ready, Updating, Launching, Aborting, Terminating, Terminated, LinkingFrom, LinkingTo. */
  readonly status: string;
  /** Green, Yellow, Red, Grey. */
  readonly health?: string | undefined;
  /** Enhanced health only: Ok, Info, Warning, Degraded, Severe, Pending, NoData, Unknown, Suspended. */
  readonly healthStatus?: string | undefined;
  /** The application version the environment runs (during an update, the one it deploys). */
  readonly versionLabel?: string | undefined;
  readonly updatedAt?: number | undefined;
}

export interface ApplicationVersion {
  readonly label: string;
  readonly description?: string | undefined;
  readonly bundle?: { readonly bucket: string; readonly key: string } | undefined;
  readonly createdAt?: number | undefined;
}

export interface BeanstalkEvent {
  readonly at: number;
  readonly message: string;
  /** TRACE, DEBUG, INFO, WARN, ERROR, FATAL. */
  readonly severity: string;
  readonly requestId?: string | undefined;
  readonly versionLabel?: string | undefined;
}

export interface EnvironmentRef {
  readonly region: string;
  readonly application: string;
  readonly environment: string;
}

export interface Beanstalk {
  /** The named environments of one application, in one call; deleted ones are left out. */
  describeEnvironments(
    region: string,
    application: string,
    names: readonly string[],
  ): Promise<readonly BeanstalkEnvironment[]>;
  /** The versions that exist among `labels`; an unknown label is simply absent. */
  describeApplicationVersions(
    region: string,
    application: string,
    labels: readonly string[],
  ): Promise<readonly ApplicationVersion[]>;
  createApplicationVersion(
    region: string,
    application: string,
    version: {
      readonly label: string;
      readonly description: string;
      readonly bucket: string;
      readonly key: string;
    },
  ): Promise<void>;
  /** Deploys a version; returns the request id that the update's events carry. */
  updateEnvironment(ref: EnvironmentRef, versionLabel: string): Promise<string | undefined>;
  /** Events of the environment from `since` (inclusive), oldest first; at most `limit` of the newest. */
  describeEvents(
    ref: EnvironmentRef,
    since: number,
    options?: { readonly requestId?: string | undefined; readonly limit?: number | undefined },
  ): Promise<readonly BeanstalkEvent[]>;
}
