import type { KnownBlock } from '@slack/types';
import type { PlannedResourceChange, Review } from '../domain/deployment.js';
import { parseImage, shortDigest } from '../domain/version.js';
import { LIMITS, context, escape, link, section } from './message.js';

/** Characters of resource lines a review shows before "…and N more" (Slack refuses messages near 13k). */
const RESOURCE_BUDGET = 7000;

/** Resources whose replacement loses data or drops traffic: a new one starts empty, or under a new address. */
const HOLDS_DATA = [
  /^AWS::RDS::/,
  /^AWS::DynamoDB::(Table|GlobalTable)$/,
  /^AWS::S3::Bucket$/,
  /^AWS::EFS::FileSystem$/,
  /^AWS::FSx::FileSystem$/,
  /^AWS::ElastiCache::/,
  /^AWS::MemoryDB::Cluster$/,
  /^AWS::SQS::Queue$/,
  /^AWS::SNS::Topic$/,
  /^AWS::Kinesis::Stream$/,
  /^AWS::KinesisFirehose::DeliveryStream$/,
  /^AWS::OpenSearchService::Domain$/,
  /^AWS::Elasticsearch::Domain$/,
  /^AWS::DocDB::DBCluster$/,
  /^AWS::Neptune::DBCluster$/,
  /^AWS::Redshift::Cluster$/,
  /^AWS::MSK::Cluster$/,
  /^AWS::AmazonMQ::Broker$/,
  /^AWS::EC2::Volume$/,
  /^AWS::Logs::LogGroup$/,
  /^AWS::KMS::Key$/,
  /^AWS::SecretsManager::Secret$/,
  /^AWS::Cognito::UserPool$/,
];
const CARRIES_TRAFFIC = [
  /^AWS::ElasticLoadBalancing::LoadBalancer$/,
  /^AWS::ElasticLoadBalancingV2::(LoadBalancer|Listener|TargetGroup)$/,
  /^AWS::ECS::Service$/,
  /^AWS::ApiGateway::RestApi$/,
  /^AWS::ApiGatewayV2::Api$/,
  /^AWS::CloudFront::Distribution$/,
  /^AWS::Route53::(RecordSet|RecordSetGroup|HostedZone)$/,
  /^AWS::EC2::(EIP|NatGateway)$/,
  /^AWS::GlobalAccelerator::Accelerator$/,
];
/** Replaced on every change by design: a new task definition revision is how a new image rolls out. */
const EXPECTED_REPLACEMENT = [/^AWS::ECS::TaskDefinition$/];

const any = (patterns: readonly RegExp[], type: string) => patterns.some((p) => p.test(type));
const isReplacement = (c: PlannedResourceChange) =>
  c.replacement === 'True' || c.replacement === 'Conditional';
const isExpected = (c: PlannedResourceChange) =>
  c.action !== 'Remove' && isReplacement(c) && any(EXPECTED_REPLACEMENT, c.resourceType);
const isSensitive = (c: PlannedResourceChange) => /^AWS::(IAM::|EC2::SecurityGroup)/.test(c.resourceType);

/** What a reviewer must not miss in one change: removals, replacements (the expected ones aside), IAM and security groups. */
export function isFlagged(c: PlannedResourceChange): string[] {
  const flags: string[] = [];
  if (isReplacement(c) && !isExpected(c)) {
    const what = any(HOLDS_DATA, c.resourceType)
      ? ' (holds data)'
      : any(CARRIES_TRAFFIC, c.resourceType)
        ? ' (carries traffic)'
        : '';
    flags.push(
      c.replacement === 'True'
        ? `:rotating_light: *REPLACEMENT*${what}`
        : `:warning: *conditional replacement*${what}`,
    );
  }
  if (c.action === 'Remove') flags.push(':wastebasket: *REMOVE*');
  if (c.resourceType.startsWith('AWS::IAM::')) flags.push(':closed_lock_with_key: IAM');
  if (/^AWS::EC2::SecurityGroup/.test(c.resourceType)) flags.push(':shield: security group');
  return flags;
}

function changeLine(c: PlannedResourceChange, decided: boolean): string {
  const flags = decided ? [] : isFlagged(c);
  const replacement = isExpected(c)
    ? ' · new revision (expected)'
    : c.replacement && c.replacement !== 'False'
      ? ` · replacement: ${escape(c.replacement)}`
      : '';
  return `\`${escape(c.action)}\` *${escape(c.logicalId)}* ${escape(c.resourceType)}${replacement}${flags.length ? ` ${flags.join(' ')}` : ''}`;
}

/** Packs lines into sections of at most 3000 characters each. */
export function sections(lines: readonly string[]): KnownBlock[] {
  const out: KnownBlock[] = [];
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
  return (r.link && link(r.link.url, label ?? r.link.label)) ?? '';
}

export interface ReviewOptions {
  /** The versions the change goes between: an image pinned by digest is shown with its tag. */
  readonly versions?: { readonly from?: string | undefined; readonly to: string } | undefined;
  /** The request was decided: what it changed stays as a record, without warnings. */
  readonly decided?: boolean | undefined;
  /** Leave the console link out (the message shows it elsewhere). */
  readonly withoutLink?: boolean | undefined;
}

function resourceBlocks(
  r: Review,
  changes: readonly PlannedResourceChange[],
  maxBlocks: number,
  o: ReviewOptions,
): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  const flagged = (c: PlannedResourceChange) => isFlagged(c).length;
  const replaced = changes.filter((c) => isReplacement(c) && !isExpected(c));
  const removed = changes.filter((c) => c.action === 'Remove').length;
  const sensitive = changes.filter(isSensitive).length;
  const critical = replaced.filter((c) => any([...HOLDS_DATA, ...CARRIES_TRAFFIC], c.resourceType)).length;
  const warnings = [
    replaced.length ? `${replaced.length} resource${replaced.length > 1 ? 's' : ''} *replaced*` : '',
    removed ? `${removed} *removed*` : '',
    sensitive ? `${sensitive} IAM or security-group change${sensitive > 1 ? 's' : ''}` : '',
  ].filter(Boolean);
  if (warnings.length && !o.decided)
    blocks.push(
      section(
        `:warning: *Look closely:* ${warnings.join(', ')}${critical ? `; ${critical} replaced resource${critical > 1 ? 's hold' : ' holds'} data or traffic` : ''}.`,
      ),
    );
  // Flagged changes first, then the ordinary ones, the expected replacements last.
  const rank = (c: PlannedResourceChange) => (flagged(c) ? 0 : isExpected(c) ? 2 : 1);
  const ordered = [...changes].sort((a, b) => rank(a) - rank(b) || flagged(b) - flagged(a));
  const lines: string[] = [];
  let used = 0;
  for (const c of ordered) {
    const l = changeLine(c, o.decided === true);
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
    blocks.push(
      context([
        `…and ${hidden} more${r.link ? `: ${linkTo(r, 'see the whole change set in the AWS console')}` : ''}`,
      ]),
    );
  else if (r.link && !o.withoutLink) blocks.push(context([linkTo(r)]));
  return blocks;
}

const PINNED = /(\S+?)@(sha256:[0-9a-f]{64})/g;

/** `123….amazonaws.com/todobackend@sha256:<64 hex>` as `todobackend:1.2.3 (sha256:<12 hex>)`. */
function shortImage(ref: string, digest: string, tag: string | undefined): string {
  const image = parseImage(`${ref}@${digest}`);
  const name = image.repository.split('/').pop() ?? image.repository;
  const t = image.tag ?? tag;
  return `${name}${t ? `:${t}` : ''} (${shortDigest(digest)})`;
}

/**
 * A difference line with images pinned by digest shortened. Capstan changes one container's image,
 * so on an `….image: before → after` line the sides are the versions it goes between.
 */
export function readableDiffLine(line: string, versions?: ReviewOptions['versions']): string {
  const m = /^(.*\.image): (\S+) → (\S+)$/.exec(line);
  if (m && versions) {
    const side = (s: string, tag: string | undefined) =>
      s.replace(PINNED, (_, ref: string, digest: string) => shortImage(ref, digest, tag));
    return `${m[1]}: ${side(m[2]!, versions.from)} → ${side(m[3]!, versions.to)}`;
  }
  return line.replace(PINNED, (_, ref: string, digest: string) => shortImage(ref, digest, undefined));
}

/** What will change, as KnownBlock Kit: parameters, resource changes (flagged first) or a document difference. */
export function reviewBlocks(r: Review, maxBlocks: number, o: ReviewOptions = {}): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  if (r.parameters && r.parameters.length > 0) {
    blocks.push(
      section(
        `*Parameters*\n${r.parameters.map((p) => `• ${escape(p.key)}: \`${escape(p.from ?? '(none)')}\` → \`${escape(p.to)}\``).join('\n')}`,
      ),
    );
  }
  if (r.changes) blocks.push(...resourceBlocks(r, r.changes, maxBlocks - blocks.length, o));
  if (r.diff) {
    blocks.push(
      ...sections([
        `*${escape(r.diff.title)}*`,
        ...(r.diff.lines.length
          ? r.diff.lines.map((l) => `• ${escape(readableDiffLine(l, o.versions))}`)
          : ['none']),
      ]).slice(0, 3),
    );
    if (r.link && !o.withoutLink) blocks.push(context([linkTo(r)]));
  }
  return blocks.slice(0, Math.max(0, maxBlocks));
}
