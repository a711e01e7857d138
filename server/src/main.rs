//! `contacts`: serve the contacts app, or migrate its database.

#![recursion_limit = "256"]

use std::net::SocketAddr;

use anyhow::Context;
use app::import::Region;
use clap::{Parser, Subcommand};
use server::{leptos_options, open_state, redact, router, DEFAULT_DATABASE_URL};
use tracing_subscriber::EnvFilter;

#[derive(Parser, Debug)]
#[command(
    name = "contacts",
    version,
    about = "The contacts area of the messaging platform: contacts, groups and imports."
)]
struct Cli {
    /// Database to use: a SQLite file (sqlite://contacts.db?mode=rwc) or PostgreSQL (postgres://user@host:5432/db).
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, global = true)]
    database_url: String,

    /// Region for phone numbers written without a country code (ISO 3166-1 alpha-2).
    #[arg(
        long,
        env = "CONTACTS_DEFAULT_REGION",
        default_value = "GB",
        global = true
    )]
    region: String,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the web app (the default when no command is given).
    Serve {
        /// Address to listen on. cargo-leptos sets LEPTOS_SITE_ADDR.
        #[arg(long, env = "LEPTOS_SITE_ADDR", default_value = "127.0.0.1:3000")]
        addr: SocketAddr,
    },
    /// Apply pending database migrations, then exit.
    Migrate,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let cli = Cli::parse();
    let region: Region = cli.region.parse().map_err(anyhow::Error::msg)?;
    // Without a subcommand, serve (cargo-leptos runs the binary bare).
    let command = cli.command.unwrap_or_else(|| {
        let addr = std::env::var("LEPTOS_SITE_ADDR")
            .ok()
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 3000)));
        Command::Serve { addr }
    });
    let state = open_state(&cli.database_url, region).await?;
    match command {
        Command::Migrate => {
            tracing::info!(database = %redact(&cli.database_url), "migrations applied");
        }
        Command::Serve { addr } => {
            let app = router(state, leptos_options(addr));
            let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| {
                format!("could not listen on {addr}: is another server running there?")
            })?;
            tracing::info!(database = %redact(&cli.database_url), %region, "listening on http://{addr}");
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = tokio::signal::ctrl_c().await;
                })
                .await?;
        }
    }
    Ok(())
}
