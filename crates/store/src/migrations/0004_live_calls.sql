-- Live calls (issue 6): the do-not-call list, the consent step logged on the call, the
-- transcript persisted one final segment at a time, and the coaching moments.
--
-- The transcript of a live call is written to call_segments as each final segment
-- arrives (one small insert, no rewrite of the call's JSON), so a crash or a kill keeps
-- everything up to the last final. When the call ends, the segments are also copied into
-- calls.segments, the call's transcript as every other screen reads it. A call still
-- marked live when the app opens was interrupted: the store finishes it from its rows.

-- Numbers the rep must not call (normalised by closer_types::normalize_phone).
-- Local, not synced yet, not change-logged.
CREATE TABLE do_not_call (
    phone    TEXT PRIMARY KEY NOT NULL,
    reason   TEXT NOT NULL DEFAULT '',
    added_at INTEGER NOT NULL
);

-- Consent: 'confirmed' | 'declined' | 'not_asked'; consent_at when the rep answered.
ALTER TABLE calls ADD COLUMN consent TEXT NOT NULL DEFAULT 'not_asked';
ALTER TABLE calls ADD COLUMN consent_at INTEGER;
-- JSON DncCheck: the numbers checked and the listed one that matched, if any.
ALTER TABLE calls ADD COLUMN dnc_check TEXT;
-- 1 while the call is being recorded.
ALTER TABLE calls ADD COLUMN live INTEGER NOT NULL DEFAULT 0;
-- The kept WAV (Settings: keep call audio), in the app data folder.
ALTER TABLE calls ADD COLUMN audio_path TEXT;

CREATE TABLE call_segments (
    call_id  TEXT NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
    seq      INTEGER NOT NULL,
    speaker  TEXT NOT NULL,
    start_ms INTEGER NOT NULL,
    end_ms   INTEGER NOT NULL,
    text     TEXT NOT NULL,
    PRIMARY KEY (call_id, seq)
) WITHOUT ROWID;

CREATE TABLE call_moments (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    call_id TEXT NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
    at_ms   INTEGER NOT NULL,
    kind    TEXT NOT NULL,
    card_id TEXT,
    text    TEXT NOT NULL DEFAULT '',
    action  TEXT NOT NULL DEFAULT 'shown'
);
CREATE INDEX call_moments_call ON call_moments (call_id, at_ms);
