//! Bench command: prints Closer's timing and memory figures.
