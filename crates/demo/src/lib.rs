//! A realistic, deterministic demo workspace.
