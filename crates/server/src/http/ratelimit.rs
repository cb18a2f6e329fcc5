//! Rate limits (governor, in memory per instance): per user on authenticated
//! endpoints, per IP on the unauthenticated ones, and per email + IP on sign-in
//! (brute force). A refusal is a 429 problem with `retry-after`.

use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::ApiError;
use crate::config::ServerConfig;

pub struct Limiters {
    user: DefaultKeyedRateLimiter<String>,
    ip: DefaultKeyedRateLimiter<String>,
    login: DefaultKeyedRateLimiter<String>,
    webhook: DefaultKeyedRateLimiter<String>,
}

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}

fn per_second(rate: u32, burst: u32) -> Quota {
    Quota::per_second(nz(rate)).allow_burst(nz(burst))
}

impl Limiters {
    pub fn new(config: &ServerConfig) -> Self {
        let login = Quota::with_period(Duration::from_secs(config.login_refill_secs.max(1)))
            .unwrap_or_else(|| Quota::per_minute(NonZeroU32::MIN))
            .allow_burst(nz(config.login_burst));
        Self {
            user: RateLimiter::keyed(per_second(config.user_rate_per_sec, config.user_burst)),
            ip: RateLimiter::keyed(per_second(config.ip_rate_per_sec, config.ip_burst)),
            login: RateLimiter::keyed(login),
            webhook: RateLimiter::keyed(per_second(
                config.webhook_rate_per_sec,
                config.webhook_burst,
            )),
        }
    }

    pub fn check_user(&self, user_id: &str) -> Result<(), ApiError> {
        check(&self.user, user_id)
    }

    pub fn check_ip(&self, ip: &str) -> Result<(), ApiError> {
        check(&self.ip, ip)
    }

    /// One webhook delivery from this IP.
    pub fn check_webhook(&self, ip: &str) -> Result<(), ApiError> {
        check(&self.webhook, ip)
    }

    /// One sign-in attempt for this email from this IP.
    pub fn check_login(&self, email: &str, ip: &str) -> Result<(), ApiError> {
        check(&self.login, &format!("{email}\u{0}{ip}"))
    }

    /// Forgets keys whose buckets are full again (memory stays bounded).
    pub fn prune(&self) {
        self.user.retain_recent();
        self.ip.retain_recent();
        self.login.retain_recent();
        self.webhook.retain_recent();
        self.webhook.shrink_to_fit();
        self.user.shrink_to_fit();
        self.ip.shrink_to_fit();
        self.login.shrink_to_fit();
    }
}

fn check(limiter: &DefaultKeyedRateLimiter<String>, key: &str) -> Result<(), ApiError> {
    match limiter.check_key(&key.to_string()) {
        Ok(()) => Ok(()),
        Err(not_until) => {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            Err(ApiError::RateLimited {
                retry_after_secs: secs.max(1),
            })
        }
    }
}
