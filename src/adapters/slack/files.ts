import type { WebClient } from '@slack/web-api';
import type { FileSharing } from '../../ports/files.js';

/** Shares a file through Slack's external upload flow (getUploadURLExternal, the upload, completeUploadExternal). */
export function createSlackFileSharing(client: WebClient): FileSharing {
  return {
    async share(f) {
      const res = await client.filesUploadV2({
        channel_id: f.channel,
        file: f.content,
        filename: f.filename,
        title: f.title,
        alt_text: f.altText ?? f.title,
        initial_comment: f.comment ?? f.title,
      });
      // files.uploadV2 answers with one completion per call, each listing its files.
      const done = (res as { files?: { files?: { id?: string }[] }[] }).files;
      return { fileId: done?.[0]?.files?.[0]?.id };
    },
  };
}
