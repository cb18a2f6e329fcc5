//! Secrets (Claude API key, server tokens) in the OS keyring; nothing else ever sees them.
