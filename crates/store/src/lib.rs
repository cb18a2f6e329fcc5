//! Closer's offline cache: SQLite (WAL, FTS5), migrations, one repository module per aggregate.
