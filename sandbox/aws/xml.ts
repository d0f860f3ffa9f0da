export const escapeXml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** AWS Query protocol XML: lists are `<member>` elements, timestamps ISO 8601. */
export function toXml(name: string, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return `<${name}>${value.map((v) => toXml('member', v)).join('')}</${name}>`;
  if (value instanceof Date) return `<${name}>${value.toISOString()}</${name}>`;
  if (typeof value === 'object') {
    return `<${name}>${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => toXml(k, v))
      .join('')}</${name}>`;
  }
  const scalar = typeof value === 'string' ? value : JSON.stringify(value);
  return `<${name}>${escapeXml(scalar)}</${name}>`;
}

export function queryResponse(
  action: string,
  namespace: string,
  result: unknown,
  requestId: string = crypto.randomUUID(),
): string {
  return `<?xml version="1.0" encoding="UTF-8"?><${action}Response xmlns="${namespace}">${toXml(`${action}Result`, result ?? {})}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
}

export function queryError(code: string, message: string, requestId: string = crypto.randomUUID()): string {
  return `<?xml version="1.0" encoding="UTF-8"?><ErrorResponse><Error><Type>Sender</Type><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
}

/** `Parameters.member.1.ParameterKey=A` → `{ Parameters: [{ ParameterKey: 'A' }] }` */
export function parseQuery(body: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const parts = key.split('.');
    let cur: Record<string, unknown> | unknown[] = out;
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      const last = i === parts.length - 1;
      if (p === 'member') continue;
      const idx = /^\d+$/.test(p) ? Number(p) - 1 : undefined;
      const slot: string | number = idx ?? p;
      const next = parts[i + 1] === 'member' ? 'list' : 'map';
      const container = cur as Record<string | number, unknown>;
      if (last) container[slot] = value;
      else {
        container[slot] ??= next === 'list' ? [] : {};
        cur = container[slot] as Record<string, unknown>;
      }
    }
  }
  return out;
}
