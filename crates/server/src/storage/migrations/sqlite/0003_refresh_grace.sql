-- Closer team server, schema 3: the refresh-token grace window. Append-only.
-- A client that crashed after the server rotated its refresh token, but before it
-- stored the new one, presents the old token again: within a short window (and once)
-- that is not a theft. `replaced_by` names the token the rotation issued (revoked when
-- the grace is used: the client never had it); `grace_used_at` makes the grace once.
ALTER TABLE refresh_tokens ADD COLUMN replaced_by TEXT;
ALTER TABLE refresh_tokens ADD COLUMN grace_used_at INTEGER;
