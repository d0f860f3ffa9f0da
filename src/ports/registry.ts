export interface ImageDetails {
  readonly tag: string;
  readonly digest: string;
  /** `<registry>/<repository>` without tag or digest. */
  readonly repositoryUri: string;
  readonly pushedAt?: number | undefined;
  /** Found by digest: every tag that names the image in this repository (none when it is untagged). */
  readonly tags?: readonly string[] | undefined;
}

export interface Registry {
  /** undefined when the repository has no image with that tag. */
  findImage(region: string, repository: string, tag: string): Promise<ImageDetails | undefined>;
  /**
   * The image with this digest in the repository, named `name` (the tag it carries elsewhere);
   * undefined when the repository holds no image with that digest.
   */
  findDigest(
    region: string,
    repository: string,
    digest: string,
    name: string,
  ): Promise<ImageDetails | undefined>;
  /** Most recently pushed tags first. */
  recentTags(region: string, repository: string, limit: number): Promise<readonly string[]>;
}
