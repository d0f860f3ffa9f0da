/**
 * Slack's external file upload, as the Slack stand-in keeps it (what WebClient.filesUploadV2 does):
 * files.getUploadURLExternal hands out an upload URL and a file id; the file's bytes are POSTed there
 * (multipart, one part named `body`); files.completeUploadExternal shares the file in a channel.
 */
export interface StoredFile {
  readonly id: string;
  readonly filename: string;
  /** The length announced to getUploadURLExternal. */
  readonly length: number;
  readonly altText?: string | undefined;
  bytes?: Buffer | undefined;
  title?: string | undefined;
  channel?: string | undefined;
  comment?: string | undefined;
  completed: boolean;
}

export class SlackFiles {
  readonly files: StoredFile[] = [];
  private seq = 0;

  /** files.getUploadURLExternal */
  uploadUrl(a: Record<string, unknown>, base: string): Record<string, unknown> {
    const filename = typeof a.filename === 'string' ? a.filename : '';
    const length = Number(a.length);
    if (filename === '' || !Number.isInteger(length) || length <= 0)
      return { ok: false, error: 'invalid_arguments' };
    this.seq += 1;
    const id = `F0SANDBOX${String(this.seq).padStart(3, '0')}`;
    const altText = typeof a.alt_text === 'string' ? a.alt_text : undefined;
    this.files.push({ id, filename, length, altText, completed: false });
    return { ok: true, upload_url: `${base}/upload/${id}`, file_id: id };
  }

  /** The POST to the upload URL: 200 with the bytes kept, or 404 for an id never handed out. */
  async receive(id: string, bytes: Buffer, contentType: string | undefined): Promise<number> {
    const f = this.files.find((x) => x.id === id);
    if (!f) return 404;
    let content = bytes;
    if (contentType?.startsWith('multipart/form-data')) {
      const form = await new Request('http://upload', {
        method: 'POST',
        headers: { 'content-type': contentType },
        body: bytes,
      }).formData();
      const part = form.get('body');
      if (part === null) return 400;
      content = typeof part === 'string' ? Buffer.from(part) : Buffer.from(await part.arrayBuffer());
    }
    f.bytes = content;
    return 200;
  }

  /** files.completeUploadExternal; `post` shares the file as a message in the channel. */
  complete(
    a: Record<string, unknown>,
    post: (channel: string, text: string, files: readonly StoredFile[]) => void,
  ): Record<string, unknown> {
    const listed = JSON.parse(typeof a.files === 'string' ? a.files : '[]') as {
      id: string;
      title?: string;
    }[];
    const found = listed.map((l) => ({ l, f: this.files.find((x) => x.id === l.id) }));
    if (found.length === 0 || found.some(({ f }) => f?.bytes === undefined))
      return { ok: false, error: 'file_not_found' };
    const channel = typeof a.channel_id === 'string' ? a.channel_id : undefined;
    const comment = typeof a.initial_comment === 'string' ? a.initial_comment : undefined;
    const done = found.map(({ l, f }) => {
      const file = f!;
      Object.assign(file, { title: l.title ?? file.filename, channel, comment, completed: true });
      return file;
    });
    if (channel !== undefined) post(channel, comment ?? '', done);
    return { ok: true, files: done.map((f) => ({ id: f.id, name: f.filename, title: f.title })) };
  }
}
