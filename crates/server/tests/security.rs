//! Security: tampered, foreign and expired access tokens; refresh-token rotation and
//! reuse detection; sign-in brute force throttled; per-user rate limits; body size
//! limits; secrets never echoed.

use base64::Engine;
use closer_server::auth::TokenKeys;
use closer_server::model::{Actor, Role};
use closer_server::ServerConfig;
use serde_json::{json, Value};

use crate::support::{org, status_json, test_config, user, Backend, TestServer, PASSWORD, SECRET};

async fn server_with_ann(config: ServerConfig) -> (TestServer, Actor) {
    let server = TestServer::start(Backend::Sqlite, config).await.unwrap();
    let acme = org(server.store.as_ref(), "Acme").await;
    let ann = user(server.store.as_ref(), &acme, "ann@acme.test", Role::Rep).await;
    let actor = Actor {
        user_id: ann.id,
        org_id: acme.id,
        role: Role::Rep,
    };
    (server, actor)
}

fn b64(v: &Value) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
}

#[tokio::test]
async fn tampered_foreign_and_expired_tokens_are_refused() {
    let (server, ann) = server_with_ann(test_config()).await;
    let good = server.token("ann@acme.test").await.access_token;
    assert_eq!(server.get(&good, "/v1/me").await.0, 200);

    let parts: Vec<&str> = good.split('.').collect();
    let payload: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(parts[1])
            .unwrap(),
    )
    .unwrap();
    let mut admin = payload.clone();
    admin["role"] = json!("admin");
    let promoted = format!("{}.{}.{}", parts[0], b64(&admin), parts[2]);
    let unsigned = format!(
        "{}.{}.",
        b64(&json!({"alg": "none", "typ": "JWT"})),
        parts[1]
    );
    let mut flipped = parts[2].to_string();
    let last = if flipped.ends_with('A') { 'B' } else { 'A' };
    flipped.pop();
    flipped.push(last);
    let bad_signature = format!("{}.{}.{flipped}", parts[0], parts[1]);
    let foreign = TokenKeys::from_secret(&[9u8; 48])
        .unwrap()
        .issue(&ann, closer_server::now_ms() / 1000, 900)
        .unwrap();
    let keys = TokenKeys::from_secret(SECRET).unwrap();
    let expired = keys
        .issue(&ann, closer_server::now_ms() / 1000 - 3600, 900)
        .unwrap();
    for (what, token) in [
        ("promoted role", promoted),
        ("alg none", unsigned),
        ("bad signature", bad_signature),
        ("another server's secret", foreign),
        ("expired", expired),
        ("garbage", "not.a.jwt".to_string()),
    ] {
        let (status, body) = server.get(&token, "/v1/users").await;
        assert_eq!(status, 401, "{what}: {body}");
        let (status, _) = server.get(&token, "/v1/sync/pull").await;
        assert_eq!(status, 401, "{what}");
    }
    // No token at all, on every authenticated endpoint.
    for (method, path) in [
        ("GET", "/v1/me"),
        ("GET", "/v1/users"),
        ("POST", "/v1/users/invites"),
        ("PATCH", "/v1/users/x"),
        ("POST", "/v1/sync/push"),
        ("GET", "/v1/sync/pull"),
    ] {
        let r = server
            .http
            .request(method.parse().unwrap(), server.url(path))
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(status_json(r).await.0, 401, "{method} {path}");
    }
}

async fn refresh(server: &TestServer, token: &str) -> (u16, Value) {
    let r = server
        .http
        .post(server.url("/v1/auth/refresh"))
        .json(&json!({"refresh_token": token}))
        .send()
        .await
        .unwrap();
    status_json(r).await
}

/// The server rotated the token but the client crashed before storing the new one: it
/// retries with the old token, once, and stays signed in; a second retry is reuse.
#[tokio::test]
async fn a_refresh_retried_after_a_crash_is_accepted_once() {
    let (server, _) = server_with_ann(test_config()).await;
    let first = server.token("ann@acme.test").await;
    let (status, lost) = refresh(&server, &first.refresh_token).await;
    assert_eq!(status, 200, "{lost}");
    let (status, retried) = refresh(&server, &first.refresh_token).await;
    assert_eq!(status, 200, "the retry within the grace window: {retried}");
    let kept = retried["refresh_token"].as_str().unwrap().to_string();
    // The token the crashed client never stored is revoked; the new one works.
    let lost = lost["refresh_token"].as_str().unwrap().to_string();
    let (status, next) = refresh(&server, &kept).await;
    assert_eq!(status, 200, "{next}");
    let next = next["refresh_token"].as_str().unwrap().to_string();
    // Once only: the old token a third time revokes the family.
    let (status, _) = refresh(&server, &first.refresh_token).await;
    assert_eq!(status, 401);
    assert_eq!(refresh(&server, &next).await.0, 401);
    assert_eq!(refresh(&server, &lost).await.0, 401);
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_reused_one_revokes_the_family() {
    let (server, _) = server_with_ann(test_config()).await;
    let first = server.token("ann@acme.test").await;
    let (status, second) = refresh(&server, &first.refresh_token).await;
    assert_eq!(status, 200, "{second}");
    let second_refresh = second["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(second_refresh, first.refresh_token);
    assert_eq!(
        server
            .get(second["access_token"].as_str().unwrap(), "/v1/me")
            .await
            .0,
        200
    );
    // The legitimate client refreshes again (so `second` is used): from now on the
    // first token cannot be a crashed client's retry (the grace window).
    let (status, third) = refresh(&server, &second_refresh).await;
    assert_eq!(status, 200, "{third}");
    let third_refresh = third["refresh_token"].as_str().unwrap().to_string();
    // The first token again (stolen and replayed): refused, and the family is revoked.
    let (status, body) = refresh(&server, &first.refresh_token).await;
    assert_eq!(status, 401, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("already used"));
    let (status, _) = refresh(&server, &third_refresh).await;
    assert_eq!(status, 401, "the legitimate successor is revoked too");
    // Another sign-in starts a new family.
    let again = server.token("ann@acme.test").await;
    assert_eq!(refresh(&server, &again.refresh_token).await.0, 200);
    // Sign-out revokes.
    let third = server.token("ann@acme.test").await;
    let r = server
        .http
        .post(server.url("/v1/auth/logout"))
        .json(&json!({"refresh_token": third.refresh_token}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(refresh(&server, &third.refresh_token).await.0, 401);
    assert_eq!(refresh(&server, "made-up").await.0, 401);
}

#[tokio::test]
async fn sign_in_brute_force_is_throttled_per_email_and_ip() {
    let (server, _) = server_with_ann(test_config()).await;
    let burst = ServerConfig::default().login_burst;
    for i in 0..burst {
        let r = server
            .login("ann@acme.test", &format!("guess number {i}"))
            .await;
        let (status, body) = status_json(r).await;
        assert_eq!(status, 401);
        assert!(
            !body.to_string().contains("guess number"),
            "a password was echoed: {body}"
        );
    }
    let r = server.login("ann@acme.test", PASSWORD).await;
    assert_eq!(r.status(), 429, "even the right password waits");
    let retry: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry >= 1);
    assert_eq!(status_json(r).await.0, 429);
    // Case and spaces do not make a new key.
    assert_eq!(server.login(" ANN@acme.test", "x").await.status(), 429);
    // Another account from the same address is not locked out.
    let acme = server.store.find_org("Acme").await.unwrap().unwrap();
    user(server.store.as_ref(), &acme, "ben@acme.test", Role::Rep).await;
    assert_eq!(server.login("ben@acme.test", PASSWORD).await.status(), 200);
    // Unknown emails are answered like wrong passwords.
    let (status, body) =
        status_json(server.login("nobody@acme.test", "whatever-password").await).await;
    assert_eq!(status, 401);
    assert_eq!(body["detail"], "wrong email or password");
}

#[tokio::test]
async fn users_are_rate_limited_with_retry_after() {
    let config = ServerConfig {
        user_rate_per_sec: 1,
        user_burst: 3,
        ..test_config()
    };
    let (server, _) = server_with_ann(config).await;
    let token = server.token("ann@acme.test").await.access_token;
    for _ in 0..3 {
        assert_eq!(server.get(&token, "/v1/me").await.0, 200);
    }
    let r = server
        .http
        .get(server.url("/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn bodies_are_limited_and_checked() {
    let config = ServerConfig {
        max_push_bytes: 64 * 1024,
        max_body_bytes: 4 * 1024,
        ..test_config()
    };
    let (server, _) = server_with_ann(config).await;
    let token = server.token("ann@acme.test").await.access_token;
    let big = json!({"client_id": "c", "mutations": [{"mutation_id": 1, "entity": "lead", "entity_id": "l", "op": "upsert",
        "fields": {"notes": {"value": "x".repeat(100 * 1024), "hlc": {"wall_ms": 1, "counter": 0, "node": "n"}}}}]});
    assert_eq!(server.post(&token, "/v1/sync/push", &big).await.0, 413);
    let big_login = json!({"email": "ann@acme.test", "password": "x".repeat(8 * 1024)});
    let r = server
        .http
        .post(server.url("/v1/auth/login"))
        .json(&big_login)
        .send()
        .await
        .unwrap();
    assert_eq!(status_json(r).await.0, 413);
    // Unknown fields, wrong types, wrong content type, unknown query parameters.
    let (status, body) = server
        .post(
            &token,
            "/v1/users/invites",
            &json!({"email": "a@b.co", "role": "rep", "admin": true}),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    let (status, _) = server.get(&token, "/v1/sync/pull?since=-1").await;
    assert_eq!(status, 422);
    let (status, _) = server.get(&token, "/v1/sync/pull?limit=100000").await;
    assert_eq!(status, 422);
    let (status, _) = server.get(&token, "/v1/sync/pull?sincе=1").await;
    assert_eq!(status, 400);
    let r = server
        .http
        .post(server.url("/v1/sync/push"))
        .bearer_auth(&token)
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(status_json(r).await.0, 415);
    // A clock far in the future would win every later write: refused.
    let future = json!({"client_id": "c", "mutations": [{"mutation_id": 1, "entity": "lead", "entity_id": "l", "op": "upsert",
        "fields": {"n": {"value": 1, "hlc": {"wall_ms": closer_server::now_ms() + 10 * 24 * 3600 * 1000, "counter": 0, "node": "n"}}}}]});
    let (status, body) = server.post(&token, "/v1/sync/push", &future).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        body["errors"][0]["path"],
        "mutations/0/fields/n/hlc/wall_ms"
    );
    // Unknown routes and methods are problems too.
    assert_eq!(server.get(&token, "/v1/nope").await.0, 404);
    let r = server
        .http
        .delete(server.url("/v1/sync/pull"))
        .send()
        .await
        .unwrap();
    assert_eq!(status_json(r).await.0, 405);
}

#[tokio::test]
async fn invites_and_disabled_accounts() {
    let (server, _) = server_with_ann(test_config()).await;
    let acme = server.store.find_org("Acme").await.unwrap().unwrap();
    user(server.store.as_ref(), &acme, "ada@acme.test", Role::Admin).await;
    let admin = server.token("ada@acme.test").await.access_token;
    let (status, invite) = server
        .post(
            &admin,
            "/v1/users/invites",
            &json!({"email": "New@Acme.test", "role": "manager"}),
        )
        .await;
    assert_eq!(status, 200, "{invite}");
    let code = invite["code"].as_str().unwrap();
    let accept = |password: &str| {
        server
            .http
            .post(server.url("/v1/auth/accept-invite"))
            .json(&json!({"code": code, "password": password}))
            .send()
    };
    assert_eq!(status_json(accept("short").await.unwrap()).await.0, 422);
    let (status, tokens) = status_json(accept("a long enough password").await.unwrap()).await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(tokens["user"]["role"], "manager");
    assert_eq!(tokens["user"]["email"], "new@acme.test");
    assert_eq!(
        status_json(accept("a long enough password").await.unwrap())
            .await
            .0,
        404,
        "an invite works once"
    );
    assert_eq!(
        server
            .login("new@acme.test", "a long enough password")
            .await
            .status(),
        200
    );

    // Disabling revokes refresh tokens and refuses sign-in.
    let ann = server.token("ann@acme.test").await;
    let (status, _) = server
        .send(
            reqwest::Method::PATCH,
            &admin,
            &format!("/v1/users/{}", ann.user.id),
            &json!({"disabled": true}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(refresh(&server, &ann.refresh_token).await.0, 401);
    assert_eq!(server.login("ann@acme.test", PASSWORD).await.status(), 401);
    assert_eq!(server.get(&ann.access_token, "/v1/me").await.0, 401);
}
