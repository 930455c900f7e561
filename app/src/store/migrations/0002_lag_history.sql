-- Migration 2: lag history, and leases that let one Patrol instance of
-- several do a job (writing lag history) while the others stand by.
-- One text for SQLite and PostgreSQL: only types and syntax both accept.

-- Each point is one replica's peak receive and replay lag (bytes) in one
-- slot of one tier: 0 = 5 s slots kept an hour, 1 = 1 min kept a day,
-- 2 = 10 min kept a week. citus_group is -1 outside Citus.
CREATE TABLE patrol_lag (
    namespace TEXT NOT NULL,
    scope TEXT NOT NULL,
    citus_group BIGINT NOT NULL,
    tier INTEGER NOT NULL,
    member TEXT NOT NULL,
    t BIGINT NOT NULL,
    receive BIGINT,
    replay BIGINT,
    PRIMARY KEY (namespace, scope, citus_group, tier, member, t)
);
CREATE INDEX patrol_lag_age ON patrol_lag (tier, t);

-- A lease is held by one instance until expires_ms (Unix ms, by the
-- holder's clock); the holder renews it, anyone may take it once expired.
CREATE TABLE patrol_leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_ms BIGINT NOT NULL
);
