import { CapstanError } from '../../../domain/errors.js';
import type { PipelineApproval } from '../../../domain/pipelineApproval.js';
import type { PipelineApprovalLedger } from '../ledgers.js';
import type { TableAccess } from './access.js';
import { CREATE_ONLY, type Key, type Values, approvalKey, k, openKey, parseApproval } from './keys.js';

const isOpen = (a: PipelineApproval) => a.state === 'open' || a.state === 'deciding';
const approvalOf = (a: PipelineApproval): Key & Values => ({
  ...approvalKey(a.id),
  state: a.state,
  rev: a.rev,
  data: JSON.stringify(a),
});

/**
 * Pipeline approvals: PA#id holds one, PIPE#pipeline lists those that may be open (with the rev of
 * the version that opened them) and PIPES the pipelines that may have any.
 */
export function pipelineApprovalLedger(db: TableAccess): PipelineApprovalLedger {
  const { read, put, remove, query } = db;

  /** Lists `a` under its pipeline; a later version's entry (higher rev) is never replaced by an older one. */
  const listOpen = async (a: PipelineApproval) => {
    await put({ pk: 'PIPES', sk: k(a.pipeline), pipeline: a.pipeline });
    return put(
      { ...openKey(a), id: a.id, rev: a.rev },
      { condition: 'attribute_not_exists(pk) OR #rev < :rev', values: { ':rev': a.rev } },
    );
  };

  return {
    async createPipelineApproval(a) {
      if (isOpen(a)) await listOpen(a);
      if (!(await put(approvalOf(a), CREATE_ONLY))) {
        throw new CapstanError('conflict', {
          kind: 'store.alreadyRecorded',
          what: 'pipelineApproval',
          id: a.id,
        });
      }
    },
    async getPipelineApproval(id) {
      return parseApproval(await read(approvalKey(id)));
    },
    async updatePipelineApproval(a) {
      const next = { ...a, rev: a.rev + 1 };
      // Listed before it is written and unlisted after, so an open approval is never missing from the list.
      if (isOpen(next)) await listOpen(next);
      if (!(await put(approvalOf(next), { condition: '#rev = :expected', values: { ':expected': a.rev } })))
        return undefined;
      if (!isOpen(next))
        await remove(openKey(next), { condition: '#rev <= :rev', values: { ':rev': next.rev } });
      return next;
    },
    async openPipelineApprovals(pipeline, stage, action) {
      const ids: string[] = [];
      for await (const item of query(k('PIPE', pipeline))) ids.push(item.id!.S!);
      const found = await Promise.all(ids.map(async (id) => parseApproval(await read(approvalKey(id)))));
      const wanted = (a: PipelineApproval | undefined): a is PipelineApproval =>
        a !== undefined &&
        isOpen(a) &&
        (stage === undefined || a.stage === stage) &&
        (action === undefined || a.action === action);
      return found.filter(wanted).sort((a, b) => a.createdAt - b.createdAt);
    },
    async pipelinesWithOpenApprovals() {
      const out: string[] = [];
      for await (const item of query('PIPES')) if (item.pipeline?.S !== undefined) out.push(item.pipeline.S);
      return out;
    },
  };
}
