//! Accounts: organisations, users, roles, invites and refresh tokens as stored.

use serde::{Deserialize, Serialize};

/// What a user may do (seed 001): reps own their leads, deals, proposals and calls and
/// read the team's battle cards and content; managers also read the whole team and edit
/// battle cards and content; admins also manage users.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Rep,
    Manager,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Rep => "rep",
            Role::Manager => "manager",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "rep" => Some(Role::Rep),
            "manager" => Some(Role::Manager),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    /// Reads every entity of the organisation (not only its own and the team's).
    pub fn reads_whole_team(self) -> bool {
        matches!(self, Role::Manager | Role::Admin)
    }

    /// Writes battle cards and content items.
    pub fn edits_team_content(self) -> bool {
        matches!(self, Role::Manager | Role::Admin)
    }

    /// Invites users, changes roles, disables accounts.
    pub fn manages_users(self) -> bool {
        matches!(self, Role::Admin)
    }

    /// Lists the organisation's users.
    pub fn lists_users(self) -> bool {
        matches!(self, Role::Manager | Role::Admin)
    }
}

/// Who is acting: taken from a verified access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: String,
    pub org_id: String,
    pub role: Role,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Org {
    pub id: String,
    pub name: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub org_id: String,
    /// Lower-cased; unique across the server (sign-in is by email alone).
    pub email: String,
    pub role: Role,
    /// `None` until the user has set one (an invite not yet accepted).
    pub password_hash: Option<String>,
    pub disabled: bool,
    pub created_at: i64,
}

/// A user as the API shows it: never the password hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserView {
    pub id: String,
    pub org_id: String,
    pub email: String,
    pub role: Role,
    pub disabled: bool,
}

impl From<&User> for UserView {
    fn from(u: &User) -> Self {
        Self {
            id: u.id.clone(),
            org_id: u.org_id.clone(),
            email: u.email.clone(),
            role: u.role,
            disabled: u.disabled,
        }
    }
}

/// A one-time invite code, stored as its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invite {
    pub code_hash: String,
    pub org_id: String,
    pub email: String,
    pub role: Role,
    pub expires_at: i64,
}

/// A refresh token as stored: its SHA-256, the family it was rotated from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshToken {
    pub token_hash: String,
    pub family_id: String,
    pub user_id: String,
    pub expires_at: i64,
    pub created_at: i64,
}

/// How long after a refresh token was rotated it may be presented once more: a client
/// that crashed between the server's rotation and storing the new token retries with
/// the old one. Within this window, once, and only while the token the rotation issued
/// is unused, that is a retry (the unused successor is revoked and a new one issued);
/// otherwise it is reuse and revokes the family.
pub const REFRESH_GRACE_MS: i64 = 30_000;

/// What presenting a refresh token did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rotation {
    /// The token was current: it is now used and its successor is stored.
    Rotated {
        user_id: String,
    },
    /// The token had been used (or revoked) before: the whole family is revoked.
    Reused {
        user_id: String,
    },
    Expired,
    Unknown,
}

/// An organisation's webhook key: the id its secret is derived from (the secret itself
/// is never stored) and the user who owns what a CRM pushes without naming an owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookKey {
    pub org_id: String,
    pub key_id: String,
    pub owner_id: String,
    pub created_at: i64,
}
