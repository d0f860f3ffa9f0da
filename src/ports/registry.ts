export interface ImageDetails {
  readonly tag: string;
  readonly digest: string;
  /** `<registry>/<repository>` without tag or digest. */
  readonly repositoryUri: string;
  readonly pushedAt?: number | undefined;
}

export interface Registry {
  /** undefined when the repository has no image with that tag. */
  findImage(region: string, repository: string, tag: string): Promise<ImageDetails | undefined>;
  /** Most recently pushed tags first. */
  recentTags(region: string, repository: string, limit: number): Promise<readonly string[]>;
}
