import type { PlannedResourceChange, Review } from '../domain/deployment.js';
import { type Block, LIMITS, context, escape, section } from './message.js';

/** Characters of resource lines a review shows before "…and N more" (Slack refuses messages near 13k). */
const RESOURCE_BUDGET = 7000;

export function isFlagged(c: PlannedResourceChange): string[] {
  const flags: string[] = [];
  if (c.replacement === 'True') flags.push(':rotating_light: *REPLACEMENT*');
  if (c.replacement === 'Conditional') flags.push(':warning: *conditional replacement*');
  if (c.action === 'Remove') flags.push(':wastebasket: *REMOVE*');
  if (c.resourceType.startsWith('AWS::IAM::')) flags.push(':closed_lock_with_key: IAM');
  if (/^AWS::EC2::SecurityGroup/.test(c.resourceType)) flags.push(':shield: security group');
  return flags;
}

function changeLine(c: PlannedResourceChange): string {
  const flags = isFlagged(c);
  return `\`${escape(c.action)}\` *${escape(c.logicalId)}* ${escape(c.resourceType)}${c.replacement && c.replacement !== 'False' ? ` · replacement: ${escape(c.replacement)}` : ''}${flags.length ? ` ${flags.join(' ')}` : ''}`;
}

/** Packs lines into sections of at most 3000 characters each. */
export function sections(lines: readonly string[]): Block[] {
  const out: Block[] = [];
  let cur = '';
  for (const l of lines) {
    if (cur && cur.length + l.length + 1 > LIMITS.sectionText) {
      out.push(section(cur));
      cur = '';
    }
    cur = cur ? `${cur}\n${l}` : l;
  }
  if (cur) out.push(section(cur));
  return out;
}

function linkTo(r: Review, label?: string): string {
  return r.link ? `<${r.link.url}|${escape(label ?? r.link.label)}>` : '';
}

function resourceBlocks(r: Review, changes: readonly PlannedResourceChange[], maxBlocks: number): Block[] {
  const blocks: Block[] = [];
  const replaced = changes.filter((c) => c.replacement === 'True' || c.replacement === 'Conditional').length;
  const removed = changes.filter((c) => c.action === 'Remove').length;
  const sensitive = changes.filter((c) => /^AWS::(IAM::|EC2::SecurityGroup)/.test(c.resourceType)).length;
  const warnings = [
    replaced ? `${replaced} resource${replaced > 1 ? 's' : ''} *replaced*` : '',
    removed ? `${removed} *removed*` : '',
    sensitive ? `${sensitive} IAM or security-group change${sensitive > 1 ? 's' : ''}` : '',
  ].filter(Boolean);
  if (warnings.length) blocks.push(section(`:warning: *Look closely:* ${warnings.join(', ')}.`));
  // Flagged changes first: they are what a reviewer must not miss.
  const ordered = [...changes].sort((a, b) => isFlagged(b).length - isFlagged(a).length);
  const lines: string[] = [];
  let used = 0;
  for (const c of ordered) {
    const l = changeLine(c);
    if (used + l.length > RESOURCE_BUDGET) break;
    lines.push(l);
    used += l.length + 1;
  }
  const header = `*Resource changes* (${changes.length})`;
  const body = changes.length === 0 ? ['No resource changes (outputs or metadata only).'] : lines;
  const chunks = sections([header, ...body]);
  const room = Math.max(1, maxBlocks - blocks.length - 1);
  const shown = chunks.slice(0, room);
  blocks.push(...shown);
  const shownLines =
    shown.reduce((n, b) => n + String((b as { text: { text: string } }).text.text).split('\n').length, 0) - 1;
  const hidden = changes.length - Math.max(0, Math.min(shownLines, changes.length));
  if (hidden > 0)
    blocks.push(context([`…and ${hidden} more${r.link ? `: ${linkTo(r, 'see the whole change set in the AWS console')}` : ''}`]));
  else if (r.link) blocks.push(context([linkTo(r)]));
  return blocks;
}

/** What will change, as Block Kit: parameters, resource changes (flagged first) or a document difference. */
export function reviewBlocks(r: Review, maxBlocks: number): Block[] {
  const blocks: Block[] = [];
  if (r.parameters && r.parameters.length > 0) {
    blocks.push(
      section(
        `*Parameters*\n${r.parameters.map((p) => `• ${escape(p.key)}: \`${escape(p.from ?? '(none)')}\` → \`${escape(p.to)}\``).join('\n')}`,
      ),
    );
  }
  if (r.changes) blocks.push(...resourceBlocks(r, r.changes, maxBlocks - blocks.length));
  if (r.diff) {
    blocks.push(
      ...sections([
        `*${escape(r.diff.title)}*`,
        ...(r.diff.lines.length ? r.diff.lines.map((l) => `• ${escape(l)}`) : ['none']),
      ]).slice(0, 3),
    );
    if (r.link) blocks.push(context([linkTo(r)]));
  }
  return blocks.slice(0, Math.max(0, maxBlocks));
}
