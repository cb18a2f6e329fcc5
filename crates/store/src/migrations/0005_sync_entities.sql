-- Sync of proposals, calls, battle cards and content items (closer-sync).
--
-- A proposal's body is merged as a CRDT (a yrs/Yjs document) rather than by last
-- writer wins: two people editing different paragraphs offline both keep their text.
-- The editor saves plain text; the sync client keeps one document per proposal body
-- here, turns each saved body into a minimal text diff applied to the document, pushes
-- the document's state, and applies pulled states to it before writing its text back
-- into the proposal. `state` is the document's whole state (a lib0 v1 update).
CREATE TABLE sync_crdt (
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    field     TEXT NOT NULL,
    state     BLOB NOT NULL,
    PRIMARY KEY (entity, entity_id, field)
) STRICT, WITHOUT ROWID;
