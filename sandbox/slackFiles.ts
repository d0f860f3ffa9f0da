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

/** A shared file as Slack lists it on a message: its names, its type and where its bytes are. */
export interface SharedFile {
  readonly id: string;
  readonly name: string;
  readonly title: string;
  readonly mimetype: string;
  /** What the image shows, for those who cannot see it. */
  readonly alt_txt?: string | undefined;
  /** Where the stand-in serves the file's bytes (Slack's `url_private`). */
  readonly url_private: string;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const TYPES: Record<string, string> = {
  csv: 'text/csv',
  json: 'application/json',
  txt: 'text/plain',
  png: 'image/png',
};

/** The file's type: a PNG by its signature, anything else by its name's extension. */
export function mimetypeOf(f: StoredFile): string {
  if (f.bytes?.subarray(0, 8).equals(PNG_SIGNATURE)) return 'image/png';
  const ext = /\.([a-z0-9]+)$/i.exec(f.filename)?.[1]?.toLowerCase() ?? '';
  return TYPES[ext] ?? 'application/octet-stream';
}

/** `f` as a message lists it, with the address `base` serves it at. */
export function sharedFile(f: StoredFile, base: string): SharedFile {
  return {
    id: f.id,
    name: f.filename,
    title: f.title ?? f.filename,
    mimetype: mimetypeOf(f),
    alt_txt: f.altText,
    url_private: `${base}/files/${f.id}/${encodeURIComponent(f.filename)}`,
  };
}

/**
 * A GET of `/files/<id>/<name>`: the bytes of a shared file, an image shown inline and anything
 * else as a download under its name; undefined for a file never shared.
 */
export function servedFile(
  files: SlackFiles,
  path: string,
): { headers: Record<string, string>; bytes: Buffer } | undefined {
  const id = /^\/files\/([A-Z0-9]+)(\/|$)/.exec(path)?.[1];
  const f = files.files.find((x) => x.id === id && x.completed);
  if (!f?.bytes) return undefined;
  const type = mimetypeOf(f);
  const disposition = type.startsWith('image/') ? 'inline' : 'attachment';
  return {
    bytes: f.bytes,
    headers: {
      'content-type': type.startsWith('text/') ? `${type}; charset=utf-8` : type,
      'content-disposition': `${disposition}; filename="${f.filename.replace(/["\\\r\n]/g, '_')}"`,
      'content-length': String(f.bytes.length),
    },
  };
}
