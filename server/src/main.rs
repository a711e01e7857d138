//! `contacts`: serve the contacts app, migrate its database, or import a file.

#![recursion_limit = "256"]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use app::export::ExportFormat;
use app::import::{GroupName, HeaderChoice, ImportConsent, Region};
use clap::{Parser, Subcommand};
use server::export_cli::{run_export, ExportOptions};
use server::import_cli::{human_summary, run_import, ImportOptions};
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

    /// Region for phone numbers written without a country code (ISO 3166-1
    /// alpha-2): for `serve`, the region new accounts start with (default GB);
    /// for `import`, instead of the account's own.
    #[arg(long, env = "CONTACTS_DEFAULT_REGION", global = true)]
    region: Option<String>,

    /// Log lines as text (for people) or JSON (one object a line, for a
    /// log collector). Each line of an import carries its `import` id.
    #[arg(long, env = "CONTACTS_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    log_format: LogFormat,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the web app (the default when no command is given).
    ///
    /// Several servers can serve one PostgreSQL database behind a load
    /// balancer: sessions, the import ledger and the login throttle live in
    /// the database, so any server answers any request and a chunk retried
    /// on another server is applied once. Start each with the same
    /// DATABASE_URL (and --https behind a TLS proxy); the first to start
    /// applies pending migrations, the others wait for it. Point the
    /// balancer's checks at /health/live (the process answers) and
    /// /health/ready (the database answers and its migrations are applied;
    /// 503 while stopping). On SIGTERM a server answers 503 on /health/ready
    /// for --stop-grace-seconds while it still serves, then stops taking
    /// requests, finishes the ones it is writing (at most --drain-seconds),
    /// and exits.
    ///
    /// A SQLite file is for one server: its writes take turns in one process.
    Serve {
        /// Address to listen on. cargo-leptos sets LEPTOS_SITE_ADDR.
        #[arg(long, env = "LEPTOS_SITE_ADDR", default_value = "127.0.0.1:3000")]
        addr: SocketAddr,
        /// The site is reached over https (a TLS proxy in front): session
        /// cookies are marked Secure.
        #[arg(long, env = "CONTACTS_HTTPS")]
        https: bool,
        /// On SIGTERM, how long to go on serving while `/health/ready`
        /// answers 503, so that the load balancer sees it and sends no new
        /// requests (longer than its check interval). Ctrl-C skips it.
        #[arg(long, env = "CONTACTS_STOP_GRACE_SECONDS", default_value_t = 5)]
        stop_grace_seconds: u64,
        /// Then, how long to let requests in flight finish before exiting
        /// anyway (an unfinished chunk is rolled back and resent by the
        /// wizard).
        #[arg(long, env = "CONTACTS_DRAIN_SECONDS", default_value_t = 30)]
        drain_seconds: u64,
    },
    /// Apply pending database migrations, then exit.
    Migrate,
    /// Import contacts from a spreadsheet, CSV or vCard file.
    ///
    /// Exit status: 0 when the file was read (refused rows are reported, not
    /// errors), 2 when it could not be read at all.
    Import {
        /// xlsx, xlsm, xlsb, xls, ods, csv, tsv, txt or vcf.
        file: PathBuf,
        /// Sheet to import: its name, or its 0-based index (default: the first
        /// sheet that holds contacts).
        #[arg(long)]
        sheet: Option<String>,
        /// 1-based row that holds the column headers; 0 for a file without
        /// a header row (default: found automatically).
        #[arg(long)]
        header_row: Option<u32>,
        /// The account to import into, by name (or id): needed when there
        /// are several. With none yet, one is made, which the first sign-up
        /// in the web app takes over.
        #[arg(long)]
        account: Option<String>,
        /// Put every imported contact in this group (created if missing).
        #[arg(long, value_parser = parse_group)]
        group: Option<GroupName>,
        /// Read, map, validate and match against the database, but write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Print exactly one JSON object on stdout.
        #[arg(long)]
        json: bool,
        /// Write the rejected rows with a Reason column to this .xlsx or .csv file.
        #[arg(long)]
        errors: Option<PathBuf>,
        /// These people agreed to receive SMS: record consent for every
        /// imported contact the file says nothing about (a contact that
        /// opted out stays opted out).
        #[arg(long, conflicts_with = "opt_out_list")]
        consent: bool,
        /// The file is an opt-out list: every contact in it is opted out;
        /// numbers the account does not have yet are kept as opted-out
        /// contacts, so that they stay suppressed if added later.
        #[arg(long)]
        opt_out_list: bool,
        /// Make a custom field of every column that maps to no field (its
        /// name from the header, its type guessed from the values) instead
        /// of ignoring it. Columns named like one of the account's custom
        /// fields are mapped to it with or without this flag.
        #[arg(long)]
        create_fields: bool,
    },
    /// Export contacts (all of them, or a group's) as csv, xlsx or vCard:
    /// every field, groups, phone labels, SMS consent and custom fields, in
    /// columns `contacts import` maps by itself.
    ///
    /// Exit status: 0 when written, 2 when it could not be (no such group
    /// or account, a file that cannot be written).
    Export {
        /// Only this group's contacts (its name, any case).
        #[arg(long)]
        group: Option<String>,
        /// csv, xlsx or vcf.
        #[arg(long, default_value = "csv", value_parser = parse_format)]
        format: ExportFormat,
        /// The account to export, by name (or id): needed when there are several.
        #[arg(long)]
        account: Option<String>,
        /// The file to write (stdout without one).
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

/// `--format`: csv, xlsx or vcf.
fn parse_format(raw: &str) -> Result<ExportFormat, String> {
    ExportFormat::parse(raw).ok_or_else(|| format!("{raw:?} is not csv, xlsx or vcf"))
}

#[tokio::main]
async fn main() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // Logs on stderr: `import --json` owns stdout.
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match cli.log_format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().flatten_event(true).init(),
    }
    let region_flag: Option<Region> = cli
        .region
        .as_deref()
        .map(str::parse)
        .transpose()
        .map_err(anyhow::Error::msg)?;
    let region = region_flag.unwrap_or_default();
    // Without a subcommand, serve (cargo-leptos runs the binary bare).
    let command = cli.command.unwrap_or_else(|| {
        let addr = std::env::var("LEPTOS_SITE_ADDR")
            .ok()
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 3000)));
        Command::Serve {
            addr,
            https: false,
            stop_grace_seconds: 5,
            drain_seconds: 30,
        }
    });
    let state = open_state(&cli.database_url, region).await?;
    match command {
        Command::Migrate => {
            tracing::info!(database = %redact(&cli.database_url), "migrations applied");
        }
        Command::Import {
            file,
            sheet,
            header_row,
            account,
            group,
            dry_run,
            json,
            errors,
            consent,
            opt_out_list,
            create_fields,
        } => {
            let account =
                match server::import_account(&state.store, account.as_deref(), region).await {
                    Ok(a) => a,
                    Err(e) => {
                        if json {
                            let error =
                                serde_json::json!({ "kind": "account", "message": e.to_string() });
                            println!("{}", serde_json::json!({ "error": error }));
                        } else {
                            eprintln!("{e}");
                        }
                        return Ok(ExitCode::from(2));
                    }
                };
            let region = match region_flag {
                Some(r) => r,
                None => account.default_region,
            };
            let opts = ImportOptions {
                file,
                region,
                sheet,
                header: match header_row {
                    None => HeaderChoice::Auto,
                    Some(0) => HeaderChoice::None,
                    Some(n) => HeaderChoice::Row(n),
                },
                group,
                dry_run,
                errors,
                consent: match (consent, opt_out_list) {
                    (_, true) => ImportConsent::OptOutList,
                    (true, false) => ImportConsent::AllAgreed,
                    (false, false) => ImportConsent::FileSays,
                },
                create_fields,
            };
            return Ok(match run_import(&state.store, account.id, &opts).await {
                Ok(report) => {
                    if json {
                        println!("{}", serde_json::to_string(&report)?);
                    } else {
                        print!("{}", human_summary(&report));
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    if json {
                        println!("{}", serde_json::json!({ "error": e }));
                    } else {
                        eprintln!("{}", e.message);
                    }
                    ExitCode::from(2)
                }
            });
        }
        Command::Export {
            group,
            format,
            account,
            output,
        } => {
            let account =
                match server::import_account(&state.store, account.as_deref(), region).await {
                    Ok(a) => a,
                    Err(e) => {
                        eprintln!("{e}");
                        return Ok(ExitCode::from(2));
                    }
                };
            let opts = ExportOptions {
                group,
                format,
                output,
            };
            let region = region_flag.unwrap_or(account.default_region);
            return Ok(
                match run_export(&state.store, account.id, region, &opts).await {
                    Ok(n) => {
                        tracing::info!(contacts = n, format = format.as_str(), "exported");
                        ExitCode::SUCCESS
                    }
                    Err(e) => {
                        eprintln!("{e}");
                        ExitCode::from(2)
                    }
                },
            );
        }
        Command::Serve {
            addr,
            https,
            stop_grace_seconds,
            drain_seconds,
        } => {
            let mut state = state;
            state.secure_cookies = https;
            server::spawn_housekeeping(state.clone());
            let draining = state.draining.clone();
            let app = router(state, leptos_options(addr))
                .into_make_service_with_connect_info::<SocketAddr>();
            let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| {
                format!("could not listen on {addr}: is another server running there?")
            })?;
            tracing::info!(database = %redact(&cli.database_url), %region, "listening on http://{addr}");
            let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
            let serving = tokio::spawn(async move {
                axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = stop_rx.await;
                    })
                    .await
            });
            let stop = server::stop_signal().await;
            // Not ready any more: the balancer stops sending requests here
            // (it sees the 503 within its check interval), then the listener
            // closes and the requests in flight (a chunk being written) finish.
            draining.store(true, std::sync::atomic::Ordering::SeqCst);
            if stop == server::Stop::Terminate && stop_grace_seconds > 0 {
                tracing::info!(stop_grace_seconds, "stopping: not ready, still serving");
                tokio::time::sleep(std::time::Duration::from_secs(stop_grace_seconds)).await;
            }
            tracing::info!(drain_seconds, "stopping: finishing the requests in flight");
            let _ = stop_tx.send(());
            match tokio::time::timeout(std::time::Duration::from_secs(drain_seconds), serving)
                .await
            {
                Ok(done) => done??,
                Err(_) => tracing::warn!(
                    drain_seconds,
                    "requests still running after the drain time; exiting (their transactions roll back)"
                ),
            }
            tracing::info!("stopped");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `--group`: a group name by the app's one rule.
fn parse_group(raw: &str) -> Result<GroupName, String> {
    GroupName::parse(raw).map_err(|e| e.to_string())
}
