-- Sync state for the team server (closer-sync). Everything here is written by the
-- sync client through `closer_store::sync`; values and clocks are opaque JSON text to
-- the store (the sync client encodes and compares them).
--
-- How a local edit reaches the server: the aggregate triggers append a reference to
-- change_log; the sync client "stages" pending references: it reads each changed row,
-- compares its fields with the shadow copy below (sync_fields), gives every changed
-- field a new hybrid logical clock, and writes one mutation with the next mutation id
-- into sync_outbox, all in one transaction. A push sends sync_outbox in mutation-id
-- order and deletes a mutation only once the server has acknowledged it: a crash or a
-- lost answer sends the same ids again, which the server answers with its stored acks.

-- Key/value state of this replica: client_id, next_mutation_id, hlc, pull_cursor,
-- user_id, org_id, role. One JSON value per key.
CREATE TABLE sync_state (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;

-- Per synced row: its owner on the server (NULL for team entities), the clock of its
-- delete (a tombstone), the server version last seen.
CREATE TABLE sync_rows (
    entity      TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    owner_id    TEXT,
    deleted_hlc TEXT,              -- JSON Hlc, NULL unless deleted
    version     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (entity, entity_id)
) STRICT, WITHOUT ROWID;

-- The shadow: per field, the last value this replica wrote or accepted and its clock.
-- A field whose row value differs from its shadow value was edited locally.
CREATE TABLE sync_fields (
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    field     TEXT NOT NULL,
    value     TEXT NOT NULL,       -- JSON
    hlc       TEXT NOT NULL,       -- JSON Hlc
    PRIMARY KEY (entity, entity_id, field)
) STRICT, WITHOUT ROWID;

-- Mutations staged but not yet acknowledged, in the order they must be sent.
CREATE TABLE sync_outbox (
    mutation_id INTEGER PRIMARY KEY NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    body        TEXT NOT NULL,     -- JSON closer_sync_proto::Mutation
    staged_at   INTEGER NOT NULL
) STRICT;

-- Values that lost under last-writer-wins (ours or another writer's), and local
-- mutations the server refused: what a conflicts view shows. Nothing is lost.
CREATE TABLE sync_conflicts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT NOT NULL CHECK (kind IN ('lost', 'rejected')),
    entity      TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    field       TEXT NOT NULL,     -- '' for a whole refused mutation
    value       TEXT NOT NULL,     -- JSON: the value that is no longer current
    hlc         TEXT NOT NULL,     -- JSON Hlc of that value
    winner_hlc  TEXT,              -- JSON Hlc of the winning value or delete
    version     INTEGER,           -- server version when recorded
    reason      TEXT,
    recorded_at INTEGER NOT NULL,
    resolved_at INTEGER
) STRICT;
-- One row per lost value, however often the server reports it (push ack and pulls).
CREATE UNIQUE INDEX sync_conflicts_value ON sync_conflicts (kind, entity, entity_id, field, hlc);
CREATE INDEX sync_conflicts_open ON sync_conflicts (resolved_at, id);
