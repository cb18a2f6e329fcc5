-- Closer local cache, schema version 1.
--
-- Conventions: one table per aggregate; `id` is a UUIDv7 string; `created_at` /
-- `updated_at` are milliseconds since the Unix epoch; enums are their snake_case
-- names; lists and sub-objects are JSON text. Connection pragmas (WAL,
-- foreign_keys ...) are set in code, not here: they are per connection.
--
-- The FTS tables are keyed by the aggregate's implicit rowid. Our tables all have
-- an index (the TEXT primary key), and SQLite's VACUUM copies rowids verbatim for
-- such tables, so the link survives a VACUUM. Never write `INSERT OR REPLACE` on
-- an aggregate: REPLACE deletes without firing delete triggers.

------------------------------------------------------------------------------
-- Aggregates
------------------------------------------------------------------------------

CREATE TABLE leads (
    id              TEXT PRIMARY KEY NOT NULL,
    company         TEXT NOT NULL,
    domain          TEXT,
    industry        TEXT,
    employee_count  INTEGER,
    contacts        TEXT NOT NULL DEFAULT '[]',   -- JSON [Contact]
    source          TEXT,
    status          TEXT NOT NULL DEFAULT 'new',
    owner           TEXT,
    score           INTEGER,                      -- 0..100, NULL until scored
    score_budget    INTEGER,
    score_authority INTEGER,
    score_need      INTEGER,
    score_timeline  INTEGER,
    score_rationale TEXT,
    scored_at       INTEGER,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
-- The list views sort by one of these with `rowid` as tie-breaker (an import gives
-- 100K leads the same updated_at). Every index ends in the rowid implicitly, so each
-- matches its ORDER BY exactly and the first page is read straight off the index,
-- without sorting; leaving `id` (36 bytes) out keeps bulk imports fast.
CREATE INDEX leads_updated_at ON leads (updated_at);
CREATE INDEX leads_company ON leads (company COLLATE NOCASE);
CREATE INDEX leads_score ON leads (score, updated_at);
CREATE INDEX leads_status ON leads (status, updated_at);

CREATE TABLE deals (
    id           TEXT PRIMARY KEY NOT NULL,
    lead_id      TEXT REFERENCES leads (id) ON DELETE SET NULL,
    name         TEXT NOT NULL,
    amount_cents INTEGER NOT NULL DEFAULT 0,
    stage        TEXT NOT NULL DEFAULT 'discovery',
    close_date   TEXT,                            -- YYYY-MM-DD
    competitors  TEXT NOT NULL DEFAULT '[]',      -- JSON [String]
    owner        TEXT,
    stakeholders TEXT NOT NULL DEFAULT '[]',      -- JSON [Stakeholder]
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX deals_updated_at ON deals (updated_at, id);
CREATE INDEX deals_lead_id ON deals (lead_id);
CREATE INDEX deals_stage ON deals (stage, updated_at);

CREATE TABLE battle_cards (
    id                  TEXT PRIMARY KEY NOT NULL,
    competitor          TEXT NOT NULL,
    summary             TEXT NOT NULL DEFAULT '',
    our_strengths       TEXT NOT NULL DEFAULT '[]',   -- JSON [String]
    their_weaknesses    TEXT NOT NULL DEFAULT '[]',   -- JSON [String]
    pricing_comparison  TEXT NOT NULL DEFAULT '',
    key_differentiators TEXT NOT NULL DEFAULT '[]',   -- JSON [String]
    objections          TEXT NOT NULL DEFAULT '[]',   -- JSON [ObjectionResponse]
    trigger_phrases     TEXT NOT NULL DEFAULT '[]',   -- JSON [String]
    updated_by          TEXT,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
);
CREATE UNIQUE INDEX battle_cards_competitor ON battle_cards (competitor COLLATE NOCASE);

CREATE TABLE content_items (
    id               TEXT PRIMARY KEY NOT NULL,
    title            TEXT NOT NULL,
    kind             TEXT NOT NULL DEFAULT 'other',
    industries       TEXT NOT NULL DEFAULT '[]',   -- JSON [String]
    personas         TEXT NOT NULL DEFAULT '[]',   -- JSON [String]
    topics           TEXT NOT NULL DEFAULT '[]',   -- JSON [String]
    body             TEXT NOT NULL DEFAULT '',
    source_path      TEXT,
    views            INTEGER NOT NULL DEFAULT 0,
    uses             INTEGER NOT NULL DEFAULT 0,
    deals_influenced INTEGER NOT NULL DEFAULT 0,
    deals_won        INTEGER NOT NULL DEFAULT 0,
    last_used_at     INTEGER,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX content_items_updated_at ON content_items (updated_at, id);
CREATE INDEX content_items_kind ON content_items (kind, updated_at, id);

CREATE TABLE proposals (
    id         TEXT PRIMARY KEY NOT NULL,
    deal_id    TEXT REFERENCES deals (id) ON DELETE SET NULL,
    lead_id    TEXT REFERENCES leads (id) ON DELETE SET NULL,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL DEFAULT '',
    status     TEXT NOT NULL DEFAULT 'draft',
    version    INTEGER NOT NULL DEFAULT 1,       -- newest proposal_versions.version
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX proposals_updated_at ON proposals (updated_at);
CREATE INDEX proposals_deal_id ON proposals (deal_id);
CREATE INDEX proposals_lead_id ON proposals (lead_id);

CREATE TABLE proposal_versions (
    id          TEXT PRIMARY KEY NOT NULL,
    proposal_id TEXT NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    version     INTEGER NOT NULL,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    status      TEXT NOT NULL,
    saved_at    INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX proposal_versions_proposal ON proposal_versions (proposal_id, version);

CREATE TABLE calls (
    id         TEXT PRIMARY KEY NOT NULL,
    deal_id    TEXT REFERENCES deals (id) ON DELETE SET NULL,
    lead_id    TEXT REFERENCES leads (id) ON DELETE SET NULL,
    title      TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    ended_at   INTEGER,
    segments   TEXT NOT NULL DEFAULT '[]',       -- JSON [TranscriptSegment]
    analysis   TEXT,                             -- JSON CallAnalysis, NULL until analysed
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX calls_started_at ON calls (started_at);
CREATE INDEX calls_deal_id ON calls (deal_id);
CREATE INDEX calls_lead_id ON calls (lead_id);

CREATE TABLE activities (
    id         TEXT PRIMARY KEY NOT NULL,
    deal_id    TEXT REFERENCES deals (id) ON DELETE CASCADE,
    lead_id    TEXT REFERENCES leads (id) ON DELETE SET NULL,
    kind       TEXT NOT NULL DEFAULT 'note',
    body       TEXT NOT NULL DEFAULT '',
    author     TEXT,
    at         INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX activities_deal_at ON activities (deal_id, at);
CREATE INDEX activities_lead_at ON activities (lead_id, at);

-- Local preferences, one JSON value per key. Not synced, not change-logged.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

------------------------------------------------------------------------------
-- Change log: every write to an aggregate, whatever the code path, for a future
-- sync with a team server. Filled only by the triggers below.
------------------------------------------------------------------------------

CREATE TABLE change_log (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    op        TEXT NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
    row_json  TEXT,          -- NULL for insert/update: a push reads the row as it is then
    at        INTEGER NOT NULL,
    pushed_at INTEGER
);
CREATE INDEX change_log_pending ON change_log (seq) WHERE pushed_at IS NULL;

-- The log is an outbox of references: which row changed, how, and when. Inserts and
-- updates carry no copy of the row (row_json NULL): a push sends the row as it is at
-- push time, so ten edits of one lead push once, and a 100K-lead import does not
-- write every lead twice. A delete keeps {"id": ...}, as the row is gone.
-- Wall-clock time in ms for the log (the row's own updated_at may be a demo value).
-- unixepoch('subsec') needs SQLite 3.42; the bundled one is newer.

-- leads
CREATE TRIGGER leads_log_insert AFTER INSERT ON leads BEGIN
    INSERT INTO change_log (entity, entity_id, op, row_json, at)
    VALUES ('lead', NEW.id, 'insert', NULL,
        CAST(unixepoch('subsec') * 1000 AS INTEGER));
END;
CREATE TRIGGER leads_log_update AFTER UPDATE ON leads BEGIN
    INSERT INTO change_log (entity, entity_id, op, row_json, at)
    VALUES ('lead', NEW.id, 'update', NULL,
        CAST(unixepoch('subsec') * 1000 AS INTEGER));
END;
CREATE TRIGGER leads_log_delete AFTER DELETE ON leads BEGIN
    INSERT INTO change_log (entity, entity_id, op, row_json, at)
    VALUES ('lead', OLD.id, 'delete', json_object('id', OLD.id),
        CAST(unixepoch('subsec') * 1000 AS INTEGER));
END;

-- deals
CREATE TRIGGER deals_log_insert AFTER INSERT ON deals BEGIN
    INSERT INTO change_log (entity, entity_id, op, row_json, at)
    VALUES ('deal', NEW.id, 'insert', NULL,
        CAST(unixepoch('subsec') * 1000 AS INTEGER));
END;
CREATE TRIGGER deals_log_update AFTER UPDATE ON deals BEGIN
    INSERT INTO change_log (entity, entity_id, op, row_json, at)
    VALUES ('deal', NEW.id, 'update', NULL,
        CAST(unixepoch('subsec') * 1000 AS INTEGER));
END;
CREATE TRIGGER deals_log_delete AFTER DELETE ON deals BEGIN
    INSERT INTO change_log (entity, entity_id, op, row_json, at)
    VALUES ('deal', OLD.id, 'delete', json_object('id', OLD.id),
        CAST(unixepoch('subsec') * 1000 AS INTEGER));
END;

-- battle_cards
CREATE TRIGGER battle_cards_log_insert AFTER INSERT ON battle_cards BEGIN
    INSERT INTO change_log (entity, entity_id, op, row_json, at)
    VALUES ('battle_card', NEW.id, 'insert', NULL,
        CAST(unixepoch('subsec') * 1000 AS INTEGER));
END;
CREATE TRIGGER battle_cards_log_update AFTER UPDATE ON battle_cards BEGIN
    INSERT INTO change_log (entity, entity_id, op, row_json, at)
    VALUES ('battle_card', NEW.id, 'update', NULL,
        CAST(unixepoch('subsec') * 1000 AS INTEGER));
END;
CREATE TRIGGER battle_cards_log_delete AFTER DELETE ON battle_cards BEGIN
    INSERT INTO change_log (entity, entity_id, op, row_json, at)
    VALUES ('battle_card', OLD.id, 'delete', json_object('id', OLD.id),
        CAST(unixepoch('subsec') * 1000 AS INTEGER));
END;

-- content_items
CREATE TRIGGER content_items_log_insert AFTER INSERT ON content_items BEGIN
    INSERT INTO change_log (entity, entity_id, op, row_json, at)
    VALUES ('content_item', NEW.id, 'insert', NULL,
        CAST(unixepoch('subsec') * 1000 AS INTEGER));
END;
CREATE TRIGGER content_items_log_update AFTER UPDATE ON content_items BEGIN
    INSERT INTO change_log (entity, entity_id, op, row_json, at)
    VALUES ('content_item', NEW.id, 'update', NULL,
        CAST(unixepoch('subsec') * 1000 AS INTEGER));
END;
CREATE TRIGGER content_items_log_delete AFTER DELETE ON content_items BEGIN
    INSERT INTO change_log (entity, entity_id, op, row_json, at)
    VALUES ('content_item', OLD.id, 'delete', json_object('id', OLD.id),
        CAST(unixepoch('subsec') * 1000 AS INTEGER));
END;

-- proposals
CREATE TRIGGER proposals_log_insert AFTER INSERT ON proposals BEGIN
    INSERT INTO change_log (entity, entity_id, op, row_json, at)
    VALUES ('proposal', NEW.id, 'insert', NULL,
        CAST(unixepoch('subsec') * 1000 AS INTEGER));
END;
CREATE TRIGGER proposals_log_update AFTER UPDATE ON proposals BEGIN
    INSERT INTO change_log (entity, entity_id, op, row_json, at)
    VALUES ('proposal', NEW.id, 'update', NULL,
        CAST(unixepoch('subsec') * 1000 AS INTEGER));
END;
CREATE TRIGGER proposals_log_delete AFTER DELETE ON proposals BEGIN
    INSERT INTO change_log (entity, entity_id, op, row_json, at)
    VALUES ('proposal', OLD.id, 'delete', json_object('id', OLD.id),
        CAST(unixepoch('subsec') * 1000 AS INTEGER));
END;

-- proposal_versions
CREATE TRIGGER proposal_versions_log_insert AFTER INSERT ON proposal_versions BEGIN
    INSERT INTO change_log (entity, entity_id, op, row_json, at)
    VALUES ('proposal_version', NEW.id, 'insert', NULL,
        CAST(unixepoch('subsec') * 1000 AS INTEGER));
END;
CREATE TRIGGER proposal_versions_log_update AFTER UPDATE ON proposal_versions BEGIN
    INSERT INTO change_log (entity, entity_id, op, row_json, at)
    VALUES ('proposal_version', NEW.id, 'update', NULL,
        CAST(unixepoch('subsec') * 1000 AS INTEGER));
END;
CREATE TRIGGER proposal_versions_log_delete AFTER DELETE ON proposal_versions BEGIN
    INSERT INTO change_log (entity, entity_id, op, row_json, at)
    VALUES ('proposal_version', OLD.id, 'delete', json_object('id', OLD.id),
        CAST(unixepoch('subsec') * 1000 AS INTEGER));
END;

-- calls
CREATE TRIGGER calls_log_insert AFTER INSERT ON calls BEGIN
    INSERT INTO change_log (entity, entity_id, op, row_json, at)
    VALUES ('call', NEW.id, 'insert', NULL,
        CAST(unixepoch('subsec') * 1000 AS INTEGER));
END;
CREATE TRIGGER calls_log_update AFTER UPDATE ON calls BEGIN
    INSERT INTO change_log (entity, entity_id, op, row_json, at)
    VALUES ('call', NEW.id, 'update', NULL,
        CAST(unixepoch('subsec') * 1000 AS INTEGER));
END;
CREATE TRIGGER calls_log_delete AFTER DELETE ON calls BEGIN
    INSERT INTO change_log (entity, entity_id, op, row_json, at)
    VALUES ('call', OLD.id, 'delete', json_object('id', OLD.id),
        CAST(unixepoch('subsec') * 1000 AS INTEGER));
END;

-- activities
CREATE TRIGGER activities_log_insert AFTER INSERT ON activities BEGIN
    INSERT INTO change_log (entity, entity_id, op, row_json, at)
    VALUES ('activity', NEW.id, 'insert', NULL,
        CAST(unixepoch('subsec') * 1000 AS INTEGER));
END;
CREATE TRIGGER activities_log_update AFTER UPDATE ON activities BEGIN
    INSERT INTO change_log (entity, entity_id, op, row_json, at)
    VALUES ('activity', NEW.id, 'update', NULL,
        CAST(unixepoch('subsec') * 1000 AS INTEGER));
END;
CREATE TRIGGER activities_log_delete AFTER DELETE ON activities BEGIN
    INSERT INTO change_log (entity, entity_id, op, row_json, at)
    VALUES ('activity', OLD.id, 'delete', json_object('id', OLD.id),
        CAST(unixepoch('subsec') * 1000 AS INTEGER));
END;

------------------------------------------------------------------------------
-- Full-text search. Each FTS table keeps its own copy of the indexed text
-- (lists are flattened from JSON), rowid = the aggregate's rowid, kept in sync
-- by triggers. `rank` is configured with per-column bm25 weights, so
-- `ORDER BY rank` is both weighted and fast.
------------------------------------------------------------------------------

CREATE VIRTUAL TABLE content_fts USING fts5 (
    title, kind, industries, personas, topics, body,
    tokenize = 'porter unicode61 remove_diacritics 2',
    prefix = '2 3'
);
INSERT INTO content_fts (content_fts, rank) VALUES ('rank', 'bm25(10.0, 2.0, 3.0, 3.0, 4.0, 1.0)');

CREATE TRIGGER content_fts_insert AFTER INSERT ON content_items BEGIN
    INSERT INTO content_fts (rowid, title, kind, industries, personas, topics, body)
    VALUES (NEW.rowid, NEW.title, replace(NEW.kind, '_', ' '),
        (SELECT group_concat(value, ', ') FROM json_each(NEW.industries)),
        (SELECT group_concat(value, ', ') FROM json_each(NEW.personas)),
        (SELECT group_concat(value, ', ') FROM json_each(NEW.topics)),
        NEW.body);
END;
CREATE TRIGGER content_fts_delete AFTER DELETE ON content_items BEGIN
    DELETE FROM content_fts WHERE rowid = OLD.rowid;
END;
CREATE TRIGGER content_fts_update AFTER UPDATE OF title, kind, industries, personas, topics, body ON content_items BEGIN
    DELETE FROM content_fts WHERE rowid = OLD.rowid;
    INSERT INTO content_fts (rowid, title, kind, industries, personas, topics, body)
    VALUES (NEW.rowid, NEW.title, replace(NEW.kind, '_', ' '),
        (SELECT group_concat(value, ', ') FROM json_each(NEW.industries)),
        (SELECT group_concat(value, ', ') FROM json_each(NEW.personas)),
        (SELECT group_concat(value, ', ') FROM json_each(NEW.topics)),
        NEW.body);
END;

CREATE VIRTUAL TABLE battle_cards_fts USING fts5 (
    competitor, summary, strengths, weaknesses, differentiators, objections, triggers, pricing,
    tokenize = 'porter unicode61 remove_diacritics 2',
    prefix = '2 3'
);
INSERT INTO battle_cards_fts (battle_cards_fts, rank) VALUES ('rank', 'bm25(10.0, 3.0, 1.0, 1.0, 1.0, 1.0, 4.0, 1.0)');

CREATE TRIGGER battle_cards_fts_insert AFTER INSERT ON battle_cards BEGIN
    INSERT INTO battle_cards_fts (rowid, competitor, summary, strengths, weaknesses, differentiators, objections, triggers, pricing)
    VALUES (NEW.rowid, NEW.competitor, NEW.summary,
        (SELECT group_concat(value, '. ') FROM json_each(NEW.our_strengths)),
        (SELECT group_concat(value, '. ') FROM json_each(NEW.their_weaknesses)),
        (SELECT group_concat(value, '. ') FROM json_each(NEW.key_differentiators)),
        (SELECT group_concat(coalesce(json_extract(value, '$.objection'), '') || ' ' || coalesce(json_extract(value, '$.response'), ''), '. ')
            FROM json_each(NEW.objections)),
        (SELECT group_concat(value, '. ') FROM json_each(NEW.trigger_phrases)),
        NEW.pricing_comparison);
END;
CREATE TRIGGER battle_cards_fts_delete AFTER DELETE ON battle_cards BEGIN
    DELETE FROM battle_cards_fts WHERE rowid = OLD.rowid;
END;
CREATE TRIGGER battle_cards_fts_update AFTER UPDATE OF competitor, summary, our_strengths, their_weaknesses, key_differentiators, objections, trigger_phrases, pricing_comparison ON battle_cards BEGIN
    DELETE FROM battle_cards_fts WHERE rowid = OLD.rowid;
    INSERT INTO battle_cards_fts (rowid, competitor, summary, strengths, weaknesses, differentiators, objections, triggers, pricing)
    VALUES (NEW.rowid, NEW.competitor, NEW.summary,
        (SELECT group_concat(value, '. ') FROM json_each(NEW.our_strengths)),
        (SELECT group_concat(value, '. ') FROM json_each(NEW.their_weaknesses)),
        (SELECT group_concat(value, '. ') FROM json_each(NEW.key_differentiators)),
        (SELECT group_concat(coalesce(json_extract(value, '$.objection'), '') || ' ' || coalesce(json_extract(value, '$.response'), ''), '. ')
            FROM json_each(NEW.objections)),
        (SELECT group_concat(value, '. ') FROM json_each(NEW.trigger_phrases)),
        NEW.pricing_comparison);
END;

-- Names are not stemmed: no porter here. No prefix indexes either: they would slow
-- bulk imports of 100K leads by a third, and prefix queries on short lead fields are
-- fast enough without them. Contact emails are not indexed (each is five tokens, one
-- of them "com" in nearly every row: a tenth of a 100K import); text with an "@" is
-- matched against the contacts directly (leads::list, search::search).
CREATE VIRTUAL TABLE leads_fts USING fts5 (
    company, domain, industry, contact_names, contact_titles,
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO leads_fts (leads_fts, rank) VALUES ('rank', 'bm25(10.0, 4.0, 2.0, 3.0, 1.0)');

CREATE TRIGGER leads_fts_insert AFTER INSERT ON leads BEGIN
    -- One pass over the contacts (an aggregate without GROUP BY always yields a row).
    INSERT INTO leads_fts (rowid, company, domain, industry, contact_names, contact_titles)
    SELECT NEW.rowid, NEW.company, NEW.domain, NEW.industry,
        group_concat(value ->> '$.name', ', '), group_concat(value ->> '$.title', ', ')
    FROM json_each(NEW.contacts);
END;
CREATE TRIGGER leads_fts_delete AFTER DELETE ON leads BEGIN
    DELETE FROM leads_fts WHERE rowid = OLD.rowid;
END;
CREATE TRIGGER leads_fts_update AFTER UPDATE OF company, domain, industry, contacts ON leads BEGIN
    DELETE FROM leads_fts WHERE rowid = OLD.rowid;
    -- One pass over the contacts (an aggregate without GROUP BY always yields a row).
    INSERT INTO leads_fts (rowid, company, domain, industry, contact_names, contact_titles)
    SELECT NEW.rowid, NEW.company, NEW.domain, NEW.industry,
        group_concat(value ->> '$.name', ', '), group_concat(value ->> '$.title', ', ')
    FROM json_each(NEW.contacts);
END;
