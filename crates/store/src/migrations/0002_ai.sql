-- AI results that belong to the workspace (the gateway's cache, ledger and queue live in
-- their own database, ai.sqlite3, owned by closer-gateway).

-- The latest Claude analysis of a deal (validated JSON of closer_types::DealAnalysis).
CREATE TABLE deal_analyses (
    deal_id     TEXT PRIMARY KEY REFERENCES deals (id) ON DELETE CASCADE,
    analysis    TEXT NOT NULL,
    model       TEXT NOT NULL,
    analyzed_at INTEGER NOT NULL
) STRICT;

-- Suggested battle-card updates, waiting for a manager to accept or reject them.
CREATE TABLE battle_card_suggestions (
    id          TEXT PRIMARY KEY,
    card_id     TEXT NOT NULL REFERENCES battle_cards (id) ON DELETE CASCADE,
    status      TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'rejected')),
    body        TEXT NOT NULL,          -- JSON of closer_types::BattleCardSuggestion
    created_at  INTEGER NOT NULL,
    decided_at  INTEGER,
    decided_by  TEXT
) STRICT;
CREATE INDEX battle_card_suggestions_card ON battle_card_suggestions (card_id, status, created_at);

CREATE TRIGGER battle_card_suggestions_log_insert AFTER INSERT ON battle_card_suggestions BEGIN
    INSERT INTO change_log (entity, entity_id, op, row_json, at)
    VALUES ('battle_card_suggestion', NEW.id, 'insert', NULL,
        CAST(unixepoch('subsec') * 1000 AS INTEGER));
END;
CREATE TRIGGER battle_card_suggestions_log_update AFTER UPDATE ON battle_card_suggestions BEGIN
    INSERT INTO change_log (entity, entity_id, op, row_json, at)
    VALUES ('battle_card_suggestion', NEW.id, 'update', NULL,
        CAST(unixepoch('subsec') * 1000 AS INTEGER));
END;
CREATE TRIGGER battle_card_suggestions_log_delete AFTER DELETE ON battle_card_suggestions BEGIN
    INSERT INTO change_log (entity, entity_id, op, row_json, at)
    VALUES ('battle_card_suggestion', OLD.id, 'delete', json_object('id', OLD.id),
        CAST(unixepoch('subsec') * 1000 AS INTEGER));
END;
