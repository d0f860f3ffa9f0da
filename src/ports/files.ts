/** A file shared in a channel (Slack's files.uploadV2). */
export interface SharedFile {
  readonly channel: string;
  readonly filename: string;
  readonly title: string;
  readonly content: Buffer;
  /** For screen readers (images). */
  readonly altText?: string | undefined;
  /** Posted with the file, as mrkdwn. */
  readonly comment?: string | undefined;
}

export interface FileSharing {
  /** Resolves with Slack's file id once the upload is complete. */
  share(file: SharedFile): Promise<{ readonly fileId?: string | undefined }>;
}

/** Turns an SVG document into PNG bytes, in-process. */
export interface ImageRenderer {
  png(svg: string): Buffer;
}
