-- Migration 3: what changed in each cluster's topology (leader, members,
-- roles, states, timeline, pause), as the lag history writer saw it.
-- One text for SQLite and PostgreSQL: only types and syntax both accept.

-- member is '' for a change of the whole cluster; citus_group is -1
-- outside Citus. The key makes the same change written twice (two
-- instances at the turn of the writer's lease) one row.
CREATE TABLE patrol_changes (
    namespace TEXT NOT NULL,
    scope TEXT NOT NULL,
    citus_group BIGINT NOT NULL,
    t BIGINT NOT NULL,
    kind TEXT NOT NULL,
    member TEXT NOT NULL,
    from_value TEXT,
    to_value TEXT,
    PRIMARY KEY (namespace, scope, citus_group, t, kind, member)
);
CREATE INDEX patrol_changes_age ON patrol_changes (t);
