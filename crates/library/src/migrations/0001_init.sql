-- The library's folders and what it knows of every file in them. Paths are BLOBs: the
-- platform's own bytes on Unix (file names need not be UTF-8 there), UTF-8 elsewhere; so
-- "every row under a folder" is a byte range (see db::under_range).

CREATE TABLE folders (
    path          BLOB PRIMARY KEY NOT NULL,
    -- Order the rep listed them in Settings.
    position      INTEGER NOT NULL,
    -- When a scan or the watcher last found the folder gone (ms), NULL while it is there.
    missing_since INTEGER
) STRICT;

CREATE TABLE files (
    path        BLOB PRIMARY KEY NOT NULL,
    -- The library folder the file was found under.
    folder      BLOB NOT NULL,
    size        INTEGER NOT NULL,
    -- Modification time in nanoseconds since the Unix epoch (0 when the platform has none).
    mtime_ns    INTEGER NOT NULL,
    -- Hex SHA-256 of the bytes last read; NULL when the file was not read (too large,
    -- unsupported, unreadable).
    sha256      TEXT,
    status      TEXT NOT NULL CHECK (status IN ('indexed', 'failed', 'skipped')),
    -- Why a failed or skipped file is not in the library: a sentence for the rep.
    error       TEXT,
    error_kind  TEXT,
    -- The id of the content item made from this file (a UUIDv7), kept across edits and
    -- renames, and across failures, so a file that is fixed comes back as the same item.
    content_key TEXT NOT NULL UNIQUE,
    updated_at  INTEGER NOT NULL
) STRICT;

CREATE INDEX files_by_folder ON files (folder);
CREATE INDEX files_by_status ON files (status);
CREATE INDEX files_by_sha256 ON files (sha256) WHERE sha256 IS NOT NULL;
