//! `closer-server`: the team server's command line.
//!
//! ```text
//! closer-server [--data-dir DIR] [--database-url URL] init-org --name N --admin-email E --admin-password-file F
//! closer-server [--data-dir DIR] [--database-url URL] invite --org ORG --email E --role rep|manager|admin [--password-file F]
//! closer-server [--data-dir DIR] [--database-url URL] serve [--listen 127.0.0.1:8787] [--jwt-secret-file F]
//! closer-server [--data-dir DIR] [--database-url URL] webhook-secret --org ORG --owner EMAIL [--jwt-secret-file F]
//! ```

use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::{Parser, Subcommand, ValueEnum};
use closer_server::admin::{self, AdminError};
use closer_server::auth::{load_or_create_secret, read_password_file, TokenKeys};
use closer_server::http::{self, AppState};
use closer_server::model::Role;
use closer_server::{open_storage, ServerConfig};

#[derive(Parser)]
#[command(name = "closer-server", version, about = "Closer's team server")]
struct Cli {
    /// Where the SQLite database and the generated signing secret live.
    #[arg(
        long,
        env = "CLOSER_DATA_DIR",
        default_value = "closer-server-data",
        global = true
    )]
    data_dir: PathBuf,
    /// postgres://user@host/db for PostgreSQL; without it, SQLite in the data dir.
    #[arg(
        long,
        env = "CLOSER_DATABASE_URL",
        global = true,
        hide_env_values = true
    )]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum RoleArg {
    Rep,
    Manager,
    Admin,
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Self {
        match r {
            RoleArg::Rep => Role::Rep,
            RoleArg::Manager => Role::Manager,
            RoleArg::Admin => Role::Admin,
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Create an organisation and its first admin.
    InitOrg {
        #[arg(long)]
        name: String,
        #[arg(long)]
        admin_email: String,
        /// A file whose first line is the admin's password (never on the command line).
        #[arg(long)]
        admin_password_file: PathBuf,
    },
    /// Invite a user: prints a one-time code, or sets a password from a file.
    Invite {
        /// The organisation's name or id.
        #[arg(long)]
        org: String,
        #[arg(long)]
        email: String,
        #[arg(long, value_enum)]
        role: RoleArg,
        #[arg(long)]
        password_file: Option<PathBuf>,
    },
    /// Give the organisation a new CRM webhook secret (printed once; the old one stops
    /// working). Use the same signing secret as the servers (--jwt-secret-file,
    /// CLOSER_JWT_SECRET or the data dir's): webhook secrets are derived from it.
    WebhookSecret {
        /// The organisation's name or id.
        #[arg(long)]
        org: String,
        /// The user who owns the leads and deals a CRM sends without an owner_email.
        #[arg(long)]
        owner: String,
        #[arg(long)]
        jwt_secret_file: Option<PathBuf>,
    },
    /// Serve the API.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8787")]
        listen: String,
        /// A file holding the JWT signing secret (at least 32 bytes); else
        /// CLOSER_JWT_SECRET; else <data-dir>/jwt-secret, created on first start.
        #[arg(long)]
        jwt_secret_file: Option<PathBuf>,
    },
}

fn admin_error(e: AdminError) -> anyhow::Error {
    match e {
        AdminError::Api(api) => anyhow::anyhow!("{}", api.detail()),
        AdminError::Server(s) => anyhow::Error::new(s),
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let store = open_storage(cli.database_url.as_deref(), &cli.data_dir)
        .await
        .context("opening the database")?;
    match cli.command {
        Command::InitOrg {
            name,
            admin_email,
            admin_password_file,
        } => {
            let password = read_password_file(&admin_password_file)?;
            let (org, user) = admin::init_org(store.as_ref(), &name, &admin_email, &password)
                .await
                .map_err(admin_error)?;
            println!("organisation {} ({})", org.name, org.id);
            println!("admin {} ({})", user.email, user.id);
        }
        Command::Invite {
            org,
            email,
            role,
            password_file,
        } => {
            let Some(org) = store.find_org(&org).await? else {
                bail!("no organisation named {org:?}");
            };
            match password_file {
                Some(file) => {
                    let password = read_password_file(&file)?;
                    let user = admin::create_user_with_password(
                        store.as_ref(),
                        &org.id,
                        &email,
                        role.into(),
                        &password,
                    )
                    .await
                    .map_err(admin_error)?;
                    println!("user {} ({}) created in {}", user.email, user.id, org.name);
                }
                None => {
                    let invite = admin::create_invite(
                        store.as_ref(),
                        &org.id,
                        &email,
                        role.into(),
                        ServerConfig::default().invite_ttl_secs,
                    )
                    .await
                    .map_err(|e| admin_error(e.into()))?;
                    println!("invite code for {}: {}", invite.email, invite.code);
                    println!(
                        "it works once, until {} (ms since epoch)",
                        invite.expires_at
                    );
                }
            }
        }
        Command::WebhookSecret {
            org,
            owner,
            jwt_secret_file,
        } => {
            let Some(org) = store.find_org(&org).await? else {
                bail!("no organisation named {org:?}");
            };
            let secret = load_or_create_secret(jwt_secret_file.as_deref(), &cli.data_dir)?;
            let keys = TokenKeys::from_secret(&secret)?;
            let created = admin::rotate_webhook_secret(store.as_ref(), &keys, &org.id, &owner)
                .await
                .map_err(admin_error)?;
            println!("webhook secret for {}: {}", org.name, created.secret);
            println!("the CRM posts to {} (signed; see the README)", created.path);
            println!(
                "records without an owner_email belong to {}",
                created.owner.email
            );
        }
        Command::Serve {
            listen,
            jwt_secret_file,
        } => {
            let secret = load_or_create_secret(jwt_secret_file.as_deref(), &cli.data_dir)?;
            let keys = TokenKeys::from_secret(&secret)?;
            let listener = tokio::net::TcpListener::bind(&listen)
                .await
                .with_context(|| format!("listening on {listen}"))?;
            let addr = listener.local_addr()?;
            tracing::info!(%addr, backend = store.backend(), "closer-server listening");
            println!("listening on http://{addr}");
            let state = AppState::new(store, keys, ServerConfig::default());
            http::serve(listener, state, async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await?;
        }
    }
    Ok(())
}
