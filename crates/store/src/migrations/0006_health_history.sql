-- Deal health over time, for the manager view's trend chart. Derived and local (never
-- synced): each replica records the scores it computed, so the chart works offline
-- from the cache. A row is written when a deal's score (or its source) changes, and at
-- most once a day otherwise (health_history::record). 0004 and 0005 are other
-- features' migrations.
CREATE TABLE deal_health_history (
    deal_id      TEXT NOT NULL REFERENCES deals (id) ON DELETE CASCADE,
    at           INTEGER NOT NULL,           -- ms since epoch
    day          TEXT NOT NULL,              -- YYYY-MM-DD (UTC) of `at`
    score        INTEGER NOT NULL CHECK (score BETWEEN 0 AND 100),
    source       TEXT NOT NULL CHECK (source IN ('local', 'ai')),
    stage        TEXT NOT NULL,              -- the deal's stage then
    amount_cents INTEGER NOT NULL,
    rep          TEXT NOT NULL,              -- the deal's owner then ('' when none)
    PRIMARY KEY (deal_id, at)
) STRICT;
CREATE INDEX deal_health_history_day ON deal_health_history (day);
