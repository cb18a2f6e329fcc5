//! The HTTP API (axum). Endpoints:
//!
//! | method | path | who |
//! | --- | --- | --- |
//! | GET | `/healthz` | anyone |
//! | POST | `/v1/auth/login` | anyone (throttled per email and IP) |
//! | POST | `/v1/auth/refresh` | a refresh token's holder |
//! | POST | `/v1/auth/logout` | a refresh token's holder |
//! | POST | `/v1/auth/accept-invite` | an invite code's holder |
//! | GET | `/v1/me` | every role |
//! | GET | `/v1/users` | manager, admin |
//! | POST | `/v1/users/invites` | admin |
//! | PATCH | `/v1/users/{id}` | admin (own organisation) |
//! | POST | `/v1/sync/push` | every role (per-entity rules in [`crate::sync`]) |
//! | GET | `/v1/sync/pull` | every role (filtered by what the role may read) |
//! | POST | `/v1/webhooks/crm/{org}` | a CRM holding the organisation's webhook secret (signed) |
//! | POST | `/v1/webhooks/crm-secret` | admin (rotates the secret, shown once) |

pub mod auth_routes;
pub mod extract;
pub mod problem;
pub mod ratelimit;
pub mod sync_routes;
pub mod users;
pub mod webhooks;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, patch, post};
use axum::Router;
use tokio::net::TcpListener;

use crate::auth::TokenKeys;
use crate::config::ServerConfig;
use crate::storage::Storage;
pub use problem::ApiError;
use ratelimit::Limiters;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Storage>,
    pub keys: Arc<TokenKeys>,
    pub config: Arc<ServerConfig>,
    pub limits: Arc<Limiters>,
}

impl AppState {
    pub fn new(store: Arc<dyn Storage>, keys: TokenKeys, config: ServerConfig) -> Self {
        let limits = Arc::new(Limiters::new(&config));
        Self {
            store,
            keys: Arc::new(keys),
            config: Arc::new(config),
            limits,
        }
    }
}

pub fn router(state: AppState) -> Router {
    let push_limit = DefaultBodyLimit::max(state.config.max_push_bytes);
    let body_limit = DefaultBodyLimit::max(state.config.max_body_bytes);
    let webhook_limit = DefaultBodyLimit::max(state.config.max_webhook_bytes);
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/v1/auth/login", post(auth_routes::login))
        .route("/v1/auth/refresh", post(auth_routes::refresh))
        .route("/v1/auth/logout", post(auth_routes::logout))
        .route("/v1/auth/accept-invite", post(auth_routes::accept_invite))
        .route("/v1/me", get(users::me))
        .route("/v1/users", get(users::list))
        .route("/v1/users/invites", post(users::invite))
        .route("/v1/users/{id}", patch(users::update))
        .route("/v1/sync/push", post(sync_routes::push).layer(push_limit))
        .route("/v1/sync/pull", get(sync_routes::pull))
        .route(
            "/v1/webhooks/crm/{org}",
            post(webhooks::receive).layer(webhook_limit),
        )
        .route("/v1/webhooks/crm-secret", post(webhooks::rotate_secret))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(body_limit)
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::NotFound("no such endpoint".into())
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

/// Serves the API on `listener` until `shutdown` completes; prunes the rate
/// limiters' memory once a minute.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = Arc::clone(&state.limits);
    let pruner = tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            tick.tick().await;
            limits.prune();
        }
    });
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    let result = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    pruner.abort();
    result
}
