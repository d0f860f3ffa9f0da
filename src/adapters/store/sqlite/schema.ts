import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS deployments (
  id TEXT PRIMARY KEY,
  app TEXT NOT NULL,
  env TEXT NOT NULL,
  state TEXT NOT NULL,
  active INTEGER NOT NULL,
  rev INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  data TEXT NOT NULL
);
-- The race guard: at most one deployment in flight per environment, enforced by SQLite itself.
CREATE UNIQUE INDEX IF NOT EXISTS one_in_flight ON deployments(app, env) WHERE active = 1;
CREATE INDEX IF NOT EXISTS by_env ON deployments(app, env, created_at DESC);
CREATE TABLE IF NOT EXISTS locks (
  app TEXT NOT NULL, env TEXT NOT NULL, owner TEXT NOT NULL, reason TEXT, at INTEGER NOT NULL,
  PRIMARY KEY (app, env)
);
CREATE TABLE IF NOT EXISTS seen (key TEXT PRIMARY KEY, at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS pipeline_approvals (
  id TEXT PRIMARY KEY,
  pipeline TEXT NOT NULL,
  stage TEXT NOT NULL,
  action TEXT NOT NULL,
  state TEXT NOT NULL,
  rev INTEGER NOT NULL,
  data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS pipeline_open ON pipeline_approvals(pipeline, stage, action) WHERE state IN ('open', 'deciding');
CREATE TABLE IF NOT EXISTS leases (
  name TEXT PRIMARY KEY, owner TEXT NOT NULL, fence INTEGER NOT NULL, expires_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS claims (key TEXT PRIMARY KEY, owner TEXT NOT NULL, at INTEGER NOT NULL);
`;

/** The row of a table that keeps its record as JSON in `data`. */
export interface Row {
  data: string;
}

/** Opens (and creates, with its folder) the database at `path`, or a throwaway one for `:memory:`. */
export function openDatabase(path: string): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);
  return db;
}
