import type Database from 'better-sqlite3';
import type { PipelineApproval } from '../../../domain/pipelineApproval.js';
import type { PipelineApprovalLedger } from '../ledgers.js';
import { pipelineApprovalRow, readRow } from '../rows.js';
import type { Row } from './schema.js';

const paRow = (a: PipelineApproval) => ({
  id: a.id,
  pipeline: a.pipeline,
  stage: a.stage,
  action: a.action,
  state: a.state,
  rev: a.rev,
  data: JSON.stringify(a),
});
const parsePa = (r: Row | undefined): PipelineApproval | undefined =>
  r ? readRow(pipelineApprovalRow, 'pipeline approval', r.data) : undefined;

/** Pipeline approvals in one table; the open ones are found through the partial index `pipeline_open`. */
export function pipelineApprovalLedger(db: Database.Database): PipelineApprovalLedger {
  const insertPa = db.prepare(
    'INSERT INTO pipeline_approvals (id, pipeline, stage, action, state, rev, data) VALUES (@id, @pipeline, @stage, @action, @state, @rev, @data)',
  );
  const casPa = db.prepare(
    'UPDATE pipeline_approvals SET state = @state, rev = @rev, data = @data WHERE id = @id AND rev = @expected',
  );
  const getPa = db.prepare<[string], Row>('SELECT data FROM pipeline_approvals WHERE id = ?');
  const openPa = db.prepare<[string], Row>(
    "SELECT data FROM pipeline_approvals WHERE pipeline = ? AND state IN ('open', 'deciding')",
  );
  const openPipelines = db.prepare<[], { pipeline: string }>(
    "SELECT DISTINCT pipeline FROM pipeline_approvals WHERE state IN ('open', 'deciding') ORDER BY pipeline",
  );

  return {
    async createPipelineApproval(a) {
      insertPa.run(paRow(a));
    },
    async getPipelineApproval(id) {
      return parsePa(getPa.get(id));
    },
    async updatePipelineApproval(a) {
      const next = { ...a, rev: a.rev + 1 };
      return casPa.run({ ...paRow(next), expected: a.rev }).changes === 1 ? next : undefined;
    },
    async openPipelineApprovals(pipeline, stage, action) {
      return openPa
        .all(pipeline)
        .map((r) => parsePa(r)!)
        .filter(
          (a) => (stage === undefined || a.stage === stage) && (action === undefined || a.action === action),
        );
    },
    async pipelinesWithOpenApprovals() {
      return openPipelines.all().map((r) => r.pipeline);
    },
  };
}
