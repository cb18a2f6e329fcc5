-- Closer team server, SQLite schema 2: inbound CRM webhooks. Append-only.

-- The organisation's current webhook key. The secret itself is never stored: it is
-- derived from the server's signing secret and `key_id` (see webhook.rs), so a copy
-- of the database alone cannot sign a webhook. Rotating replaces the row.
CREATE TABLE webhook_keys (
    org_id     TEXT PRIMARY KEY REFERENCES orgs(id),
    key_id     TEXT NOT NULL,
    -- who owns the leads and deals a CRM pushes without naming an owner
    owner_id   TEXT NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL
) STRICT;

-- Every applied event, by the CRM's event id: a delivery seen before is answered
-- with the stored ack and changes nothing.
CREATE TABLE webhook_events (
    org_id      TEXT NOT NULL REFERENCES orgs(id),
    event_id    TEXT NOT NULL,
    body_hash   TEXT NOT NULL,
    ack         TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (org_id, event_id)
) STRICT;
