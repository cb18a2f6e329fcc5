//! Tunables of a running server. `Default` is what `closer-server serve` uses.

#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Lifetime of an access token (JWT).
    pub access_ttl_secs: i64,
    /// Lifetime of a refresh token (each use replaces it with a new one).
    pub refresh_ttl_secs: i64,
    /// Lifetime of an invite code.
    pub invite_ttl_secs: i64,
    /// Per-user requests per second on authenticated endpoints, and the burst allowed.
    pub user_rate_per_sec: u32,
    pub user_burst: u32,
    /// Per-IP requests per second on the unauthenticated endpoints (sign-in, refresh).
    pub ip_rate_per_sec: u32,
    pub ip_burst: u32,
    /// Sign-in attempts per email and IP: a burst, then one per this many seconds.
    pub login_burst: u32,
    pub login_refill_secs: u64,
    /// Largest push body.
    pub max_push_bytes: usize,
    /// Largest body of every other request.
    pub max_body_bytes: usize,
    /// How far in the future a client's clock may be (a clock far ahead would win
    /// every later write).
    pub max_clock_skew_ms: i64,
    /// How far a webhook signature's timestamp may be from the server's clock, either way.
    pub webhook_tolerance_secs: i64,
    /// Largest webhook body.
    pub max_webhook_bytes: usize,
    /// Webhook deliveries per second per sending IP, and the burst allowed (a CRM's
    /// bulk sync sends many at once).
    pub webhook_rate_per_sec: u32,
    pub webhook_burst: u32,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            access_ttl_secs: 15 * 60,
            refresh_ttl_secs: 30 * 24 * 3600,
            invite_ttl_secs: 7 * 24 * 3600,
            user_rate_per_sec: 50,
            user_burst: 200,
            ip_rate_per_sec: 20,
            ip_burst: 60,
            login_burst: 5,
            login_refill_secs: 20,
            max_push_bytes: 8 * 1024 * 1024,
            max_body_bytes: 64 * 1024,
            max_clock_skew_ms: 24 * 3600 * 1000,
            webhook_tolerance_secs: 300,
            max_webhook_bytes: 256 * 1024,
            webhook_rate_per_sec: 100,
            webhook_burst: 1000,
        }
    }
}
