import { expect } from 'vitest';

/**
 * Block Kit's limits (PLATFORM.md §4), checked on what Capstan sends. One helper for every golden
 * message, and for the messages the Slack stand-in recorded in end-to-end tests.
 */
export const BLOCK_KIT = {
  blocks: { message: 50, modal: 100, home: 100 },
  blockId: 255,
  actionId: 255,
  sectionText: 3000,
  fields: 10,
  field: 2000,
  header: 150,
  contextElements: 10,
  contextText: 3000,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  /** chat.update refuses more (msg_too_long); chat.postMessage truncates above 40,000. */
  text: 4000,
  /** msg_blocks_too_long was seen at about 13k characters of blocks with every block in its limits. */
  blocksJson: 12_000,
} as const;

export type Surface = keyof typeof BLOCK_KIT.blocks;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** Every Block Kit limit `m` breaks, one line each; empty when it fits. */
export function blockKitProblems(m: unknown, surface: Surface = 'message'): string[] {
  const out: string[] = [];
  const bad = (where: string, what: string) => out.push(`${where}: ${what}`);
  if (!isObject(m)) return ['not an object'];
  const blocks = Array.isArray(m.blocks) ? (m.blocks as unknown[]) : [];
  if (surface === 'message') {
    const text = str(m.text);
    if (!text) bad('text', 'missing: it is the notification and the screen-reader fallback');
    else if (text.length > BLOCK_KIT.text) bad('text', `${text.length} > ${BLOCK_KIT.text} characters`);
  }
  if (blocks.length > BLOCK_KIT.blocks[surface])
    bad('blocks', `${blocks.length} > ${BLOCK_KIT.blocks[surface]}`);
  if (surface === 'message' && JSON.stringify(blocks).length > BLOCK_KIT.blocksJson)
    bad('blocks', `${JSON.stringify(blocks).length} characters of JSON > ${BLOCK_KIT.blocksJson}`);

  const textObject = (where: string, t: unknown, max: number, types: readonly string[]) => {
    if (!isObject(t)) return bad(where, 'not a text object');
    if (!types.includes(String(t.type))) bad(where, `type ${String(t.type)} is not ${types.join(' or ')}`);
    const s = str(t.text) ?? '';
    if (s.length === 0) bad(where, 'empty text');
    if (s.length > max) bad(where, `${s.length} > ${max} characters`);
  };
  const blockIds = new Set<string>();
  blocks.forEach((b, i) => {
    const at = `blocks[${i}]`;
    if (!isObject(b)) return bad(at, 'not an object');
    const id = str(b.block_id);
    if (id !== undefined) {
      if (id.length > BLOCK_KIT.blockId) bad(at, `block_id longer than ${BLOCK_KIT.blockId}`);
      if (blockIds.has(id)) bad(at, `block_id ${id} is used twice`);
      blockIds.add(id);
    }
    switch (b.type) {
      case 'section': {
        if (b.text === undefined && b.fields === undefined) bad(at, 'a section needs text or fields');
        if (b.text !== undefined)
          textObject(`${at}.text`, b.text, BLOCK_KIT.sectionText, ['mrkdwn', 'plain_text']);
        if (b.fields !== undefined) {
          const fields = Array.isArray(b.fields) ? b.fields : [];
          if (fields.length > BLOCK_KIT.fields) bad(at, `${fields.length} fields > ${BLOCK_KIT.fields}`);
          fields.forEach((f, j) =>
            textObject(`${at}.fields[${j}]`, f, BLOCK_KIT.field, ['mrkdwn', 'plain_text']),
          );
        }
        return;
      }
      case 'header':
        return textObject(`${at}.text`, b.text, BLOCK_KIT.header, ['plain_text']);
      case 'context': {
        const els = Array.isArray(b.elements) ? b.elements : [];
        if (els.length === 0) bad(at, 'a context needs elements');
        if (els.length > BLOCK_KIT.contextElements)
          bad(at, `${els.length} elements > ${BLOCK_KIT.contextElements}`);
        els.forEach((e, j) =>
          textObject(`${at}.elements[${j}]`, e, BLOCK_KIT.contextText, ['mrkdwn', 'plain_text']),
        );
        return;
      }
      case 'actions': {
        const els = Array.isArray(b.elements) ? b.elements : [];
        if (els.length > BLOCK_KIT.actionsElements)
          bad(at, `${els.length} elements > ${BLOCK_KIT.actionsElements}`);
        const actionIds = new Set<string>();
        els.forEach((e, j) => {
          const where = `${at}.elements[${j}]`;
          if (!isObject(e) || e.type !== 'button') return bad(where, 'only buttons are expected');
          const actionId = str(e.action_id) ?? '';
          if (actionId.length === 0 || actionId.length > BLOCK_KIT.actionId) bad(where, 'bad action_id');
          if (actionIds.has(actionId)) bad(where, `action_id ${actionId} is used twice in one block`);
          actionIds.add(actionId);
          textObject(`${where}.text`, e.text, BLOCK_KIT.buttonText, ['plain_text']);
          if ((str(e.value) ?? '').length > BLOCK_KIT.buttonValue) bad(where, 'value too long');
          if ((str(e.url) ?? '').length > BLOCK_KIT.buttonUrl) bad(where, 'url too long');
          if (e.style !== undefined && e.style !== 'primary' && e.style !== 'danger')
            bad(where, `style ${JSON.stringify(e.style)}`);
          if (e.confirm !== undefined) {
            const c = e.confirm as Json;
            textObject(`${where}.confirm.title`, c.title, BLOCK_KIT.confirmTitle, ['plain_text']);
            textObject(`${where}.confirm.text`, c.text, BLOCK_KIT.confirmText, ['plain_text', 'mrkdwn']);
            textObject(`${where}.confirm.confirm`, c.confirm, BLOCK_KIT.confirmButton, ['plain_text']);
            textObject(`${where}.confirm.deny`, c.deny, BLOCK_KIT.confirmButton, ['plain_text']);
          }
        });
        return;
      }
      case 'divider':
        return;
      case 'image': {
        // PLATFORM-3.md §6: alt_text ≤ 2000; image_url (≤ 3000, http(s)) or slack_file {id | url}, never both; id F….
        const alt = str(b.alt_text) ?? '';
        if (alt.length === 0 || alt.length > 2000) bad(at, `alt_text of ${alt.length} characters`);
        if (b.title !== undefined) textObject(`${at}.title`, b.title, 2000, ['plain_text']);
        const file = isObject(b.slack_file) ? b.slack_file : undefined;
        if ((b.image_url === undefined) === (file === undefined)) bad(at, 'needs image_url or slack_file');
        const url = str(b.image_url);
        if (b.image_url !== undefined && (!url || url.length > 3000 || !/^https?:\/\//.test(url)))
          bad(at, 'image_url must be an http(s) URL of at most 3000 characters');
        if (file && (file.id === undefined) === (file.url === undefined))
          bad(at, 'slack_file needs id or url');
        if (file?.id !== undefined && !/^F[A-Z0-9]{8,}$/.test(str(file.id) ?? ''))
          bad(at, 'bad slack_file id');
        return;
      }
      case 'input':
        if (surface === 'message') bad(at, 'input blocks belong in modals');
        textObject(`${at}.label`, b.label, 2000, ['plain_text']);
        return;
      default:
        bad(at, `unexpected block type ${String(b.type)}`);
    }
  });
  return out;
}

/** Asserts `m` is inside Block Kit's limits; the problems are the failure message. */
export function expectWithinBlockKit(m: unknown, surface: Surface = 'message'): void {
  expect(blockKitProblems(m, surface), 'Block Kit limits').toEqual([]);
}

/**
 * A golden message: inside Block Kit's limits, and the same as its snapshot in
 * `__snapshots__/<name>.json`, next to the test, which reviewers read in diffs.
 */
export async function golden(name: string, m: unknown, surface: Surface = 'message'): Promise<void> {
  expectWithinBlockKit(m, surface);
  await expect(`${JSON.stringify(m, null, 2)}\n`).toMatchFileSnapshot(`./__snapshots__/${name}.json`);
}
