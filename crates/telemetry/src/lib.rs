//! Structured logs to a rotating file, every line passed through redaction.
