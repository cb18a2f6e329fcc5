//! Composes the store, import, secrets and telemetry into the app's use cases; owns blocking work off the async runtime.
