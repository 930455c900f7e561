-- Migration 1: browser sessions and the audit log.
-- One text for SQLite and PostgreSQL: only types and syntax both accept.

-- A session is found by the SHA-256 of its token; the token itself is
-- never stored.
CREATE TABLE patrol_sessions (
    token_hash TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    expires_ms BIGINT NOT NULL
);
CREATE INDEX patrol_sessions_expiry ON patrol_sessions (expires_ms);

-- The hash-chained audit log: each record's JSON as written, plus its place
-- in the chain.
CREATE TABLE patrol_audit (
    seq BIGINT PRIMARY KEY,
    record TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);

-- The end of the chain, one row: appends lock it first, so appends from
-- any number of Patrol processes take turns.
CREATE TABLE patrol_audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO patrol_audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Audit log files imported with --audit-log: the file and the hash of its
-- last record, so a restart with the same flag does nothing.
CREATE TABLE patrol_audit_import (
    path TEXT NOT NULL,
    last_hash TEXT NOT NULL,
    records BIGINT NOT NULL,
    imported_ms BIGINT NOT NULL
);
