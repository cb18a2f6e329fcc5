//! Credentials: argon2id password hashes, HS256 access tokens (JWT) and opaque
//! refresh tokens and invite codes (256 random bits, stored as SHA-256).
//!
//! The signing secret and passwords are never logged, formatted or returned: the
//! types holding them implement `Debug` by hand.

use std::path::Path;
use std::sync::OnceLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Result, ServerError};
use crate::model::{Actor, Role};

/// Shortest password accepted.
pub const MIN_PASSWORD_LEN: usize = 12;
/// Longest password accepted (hashing cost grows with it).
pub const MAX_PASSWORD_LEN: usize = 256;
/// Shortest signing secret accepted, in bytes.
pub const MIN_SECRET_LEN: usize = 32;

const ISSUER: &str = "closer-server";
const AUDIENCE: &str = "closer";

/// Hashes a password with argon2id (default parameters, random salt).
pub fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ServerError::PasswordHash(e.to_string()))
}

/// True when `password` matches `hash`. A malformed hash never matches.
pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Spends the time of one verification: sign-in for an unknown email takes as long
/// as for a known one, so timing does not tell which emails have accounts.
pub fn verify_dummy(password: &str) {
    static DUMMY: OnceLock<Option<String>> = OnceLock::new();
    if let Some(hash) = DUMMY.get_or_init(|| hash_password("closer-dummy-password").ok()) {
        let _ = verify_password(hash, password);
    }
}

/// Checks a new password's length (counted in characters).
pub fn check_password_policy(password: &str) -> std::result::Result<(), String> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_LEN {
        return Err(format!(
            "a password has at least {MIN_PASSWORD_LEN} characters"
        ));
    }
    if n > MAX_PASSWORD_LEN {
        return Err(format!(
            "a password has at most {MAX_PASSWORD_LEN} characters"
        ));
    }
    Ok(())
}

/// A fresh random token (refresh token, invite code): 32 bytes, base64url.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// How a token is stored: its SHA-256 in hex (the token itself has 256 random bits,
/// so a fast hash is enough; the database never holds a usable token).
pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Normalises an email for storage and lookup.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// A plausible email: one `@`, something on each side, no spaces, at most 254 bytes.
pub fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    email.len() <= 254
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// The claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub org: String,
    pub role: Role,
    pub iat: i64,
    pub exp: i64,
    pub iss: String,
    pub aud: String,
}

/// The server's signing secret, as keys. `Debug` never shows it.
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    /// HMAC-SHA256(signing secret, a label): the key webhook secrets derive from, so
    /// a webhook secret says nothing about the JWT key and vice versa.
    webhook_master: [u8; 32],
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenKeys(<redacted>)")
    }
}

impl TokenKeys {
    pub fn from_secret(secret: &[u8]) -> Result<Self> {
        if secret.len() < MIN_SECRET_LEN {
            return Err(ServerError::Config(format!(
                "the JWT signing secret must have at least {MIN_SECRET_LEN} bytes"
            )));
        }
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 5;
        Ok(Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            webhook_master: hmac_sha256(secret, &[b"closer-webhook-master-v1"]),
        })
    }

    /// The webhook secret of organisation `org_id` under key `key_id` (the random
    /// id stored per organisation): `whsec_` + 43 base64url characters. Every
    /// instance sharing the signing secret derives the same one; the database alone
    /// cannot.
    pub fn webhook_secret(&self, org_id: &str, key_id: &str) -> String {
        let mac = hmac_sha256(
            &self.webhook_master,
            &[org_id.as_bytes(), b"\0", key_id.as_bytes()],
        );
        format!(
            "{}{}",
            crate::webhook::SECRET_PREFIX,
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac)
        )
    }

    /// Signs an access token for `actor`, valid `ttl_secs` from `now_secs`.
    pub fn issue(&self, actor: &Actor, now_secs: i64, ttl_secs: i64) -> Result<String> {
        let claims = Claims {
            sub: actor.user_id.clone(),
            org: actor.org_id.clone(),
            role: actor.role,
            iat: now_secs,
            exp: now_secs + ttl_secs,
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| ServerError::Token(e.to_string()))
    }

    /// Verifies signature, algorithm, expiry, issuer and audience.
    pub fn verify(&self, token: &str) -> Option<Actor> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation).ok()?;
        Some(Actor {
            user_id: data.claims.sub,
            org_id: data.claims.org,
            role: data.claims.role,
        })
    }
}

fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    use hmac::Mac;
    // HMAC takes a key of any length; `new_from_slice` cannot fail for it.
    let mut mac = <hmac::Hmac<Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of every length"));
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// Loads the signing secret: the file `secret_file` if given, else the environment
/// variable `CLOSER_JWT_SECRET`, else `<data_dir>/jwt-secret` (created with 64 random
/// bytes, mode 0600, on first start). Several instances must share one secret: give
/// them the same file or variable.
pub fn load_or_create_secret(secret_file: Option<&Path>, data_dir: &Path) -> Result<Vec<u8>> {
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| ServerError::Io { path, source }
    };
    if let Some(path) = secret_file {
        let bytes = std::fs::read(path).map_err(io(path))?;
        return Ok(trim_secret(bytes));
    }
    if let Ok(s) = std::env::var("CLOSER_JWT_SECRET") {
        return Ok(trim_secret(s.into_bytes()));
    }
    let path = data_dir.join("jwt-secret");
    match std::fs::read(&path) {
        Ok(bytes) => Ok(trim_secret(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(data_dir).map_err(io(data_dir))?;
            let mut bytes = [0u8; 48];
            rand::rngs::OsRng.fill_bytes(&mut bytes);
            let text = base64::engine::general_purpose::STANDARD.encode(bytes);
            write_private(&path, text.as_bytes()).map_err(io(&path))?;
            Ok(text.into_bytes())
        }
        Err(e) => Err(io(&path)(e)),
    }
}

fn trim_secret(mut bytes: Vec<u8>) -> Vec<u8> {
    while bytes.last().is_some_and(|b| b.is_ascii_whitespace()) {
        bytes.pop();
    }
    bytes
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Reads a password from a file (first line, without its line ending).
pub fn read_password_file(path: &Path) -> Result<String> {
    let text = std::fs::read_to_string(path).map_err(|source| ServerError::Io {
        path: path.display().to_string(),
        source,
    })?;
    Ok(text.lines().next().unwrap_or("").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_and_tokens_round_trip() {
        let hash = hash_password("correct horse battery").unwrap_or_default();
        assert!(verify_password(&hash, "correct horse battery"));
        assert!(!verify_password(&hash, "wrong horse battery"));
        assert!(!verify_password("not a hash", "x"));

        let keys = TokenKeys::from_secret(&[7u8; 32]);
        let keys = keys.unwrap_or_else(|e| panic!("{e}"));
        let actor = Actor {
            user_id: "u".into(),
            org_id: "o".into(),
            role: Role::Manager,
        };
        let token = keys
            .issue(&actor, crate::now_ms() / 1000, 60)
            .unwrap_or_default();
        assert_eq!(keys.verify(&token), Some(actor));
        let other = TokenKeys::from_secret(&[8u8; 32]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(other.verify(&token), None);
        assert!(TokenKeys::from_secret(b"short").is_err());

        let a = keys.webhook_secret("org-a", "k1");
        assert!(a.starts_with("whsec_") && a.len() == 6 + 43, "{a}");
        assert_eq!(a, keys.webhook_secret("org-a", "k1"));
        assert_ne!(a, keys.webhook_secret("org-b", "k1"));
        assert_ne!(a, keys.webhook_secret("org-a", "k2"));
        assert_ne!(a, other.webhook_secret("org-a", "k1"));
    }

    #[test]
    fn emails() {
        assert!(valid_email("a@b.co"));
        for bad in [
            "", "a", "a@", "@b.co", "a@b", "a b@c.de", "a@b@c.de", "a@.de",
        ] {
            assert!(!valid_email(bad), "{bad}");
        }
        assert_eq!(normalize_email("  Ann@Example.COM "), "ann@example.com");
    }
}
