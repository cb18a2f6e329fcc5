-- Closer team server, SQLite schema 1. Append-only: never edit, add a new file.
CREATE TABLE orgs (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    -- the organisation's sync server version (last one handed out)
    version    INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES orgs(id),
    email         TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL CHECK (role IN ('rep', 'manager', 'admin')),
    password_hash TEXT,
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX users_org ON users(org_id);

CREATE TABLE invites (
    code_hash  TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES orgs(id),
    email      TEXT NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ('rep', 'manager', 'admin')),
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
) STRICT;

CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    family_id  TEXT NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users(id),
    expires_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    used_at    INTEGER,
    revoked_at INTEGER
) STRICT;
CREATE INDEX refresh_tokens_family ON refresh_tokens(family_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens(user_id);

CREATE TABLE sync_clients (
    org_id           TEXT NOT NULL REFERENCES orgs(id),
    client_id        TEXT NOT NULL,
    user_id          TEXT NOT NULL REFERENCES users(id),
    last_mutation_id INTEGER NOT NULL,
    PRIMARY KEY (org_id, client_id)
) STRICT;

CREATE TABLE sync_acks (
    org_id      TEXT NOT NULL,
    client_id   TEXT NOT NULL,
    mutation_id INTEGER NOT NULL,
    ack         TEXT NOT NULL,
    PRIMARY KEY (org_id, client_id, mutation_id)
) STRICT;

CREATE TABLE entities (
    org_id      TEXT NOT NULL REFERENCES orgs(id),
    entity      TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    owner_id    TEXT,
    version     INTEGER NOT NULL,
    deleted_hlc TEXT,
    fields      TEXT NOT NULL,
    PRIMARY KEY (org_id, entity, entity_id)
) STRICT;
CREATE INDEX entities_org_version ON entities(org_id, version);

CREATE TABLE history (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id     TEXT NOT NULL,
    entity     TEXT NOT NULL,
    entity_id  TEXT NOT NULL,
    field      TEXT NOT NULL,
    value      TEXT NOT NULL,
    hlc        TEXT NOT NULL,
    winner_hlc TEXT NOT NULL,
    version    INTEGER NOT NULL,
    user_id    TEXT NOT NULL
) STRICT;
CREATE INDEX history_entity ON history(org_id, entity, entity_id, version);
