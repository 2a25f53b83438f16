//! `dockhand-hub`: serve the sync API (and post to the ERP), load master data and tasks, issue
//! device tokens, show the ERP connector's state.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

mod console_cli;
mod floor_cli;

use clap::{Parser, Subcommand};
use dockhand_hub::erp::tryton::{TrytonConfig, TrytonConnector};
use dockhand_hub::erp::worker::{self, WorkerConfig};
use dockhand_hub::postgres::redact;
use dockhand_hub::server::ConnectionLimits;
use dockhand_hub::store::GrantMode;
use dockhand_hub::{HubConfig, api, open_store};
use dockhand_protocol::sync::Import;

#[derive(Parser)]
#[command(name = "dockhand-hub", version, about = "The dockhand sync hub")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args)]
struct Database {
    /// A SQLite file path, or a postgres:// URL.
    #[arg(long, default_value = "dockhand-hub.db", env = "DOCKHAND_HUB_DATABASE")]
    database: String,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (docs/sync-api.yaml). With no options: development mode on 127.0.0.1:8080
    /// with dockhand-hub.db in the working directory.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        #[command(flatten)]
        database: Database,
        /// Production mode: devices register only with the registration secret (or get tokens
        /// from `device issue`); admin endpoints need the admin token.
        #[arg(long)]
        production: bool,
        /// Secret devices present to register themselves (production).
        #[arg(long, env = "DOCKHAND_HUB_REGISTRATION_SECRET")]
        registration_secret: Option<String>,
        /// Token for the admin endpoints (import, feed, stock, exceptions, devices).
        #[arg(long, env = "DOCKHAND_HUB_ADMIN_TOKEN")]
        admin_token: Option<String>,
        /// Device token lifetime in hours (1 to 8784, a year).
        #[arg(long, default_value_t = 720, value_parser = clap::value_parser!(u64).range(1..=8784))]
        token_ttl_hours: u64,
        /// Serve HTTPS with this certificate chain (PEM); needs --tls-key. Without it the hub
        /// speaks plain HTTP: keep it on loopback or behind a TLS-terminating reverse proxy
        /// (docs/operations.md).
        #[arg(long, requires = "tls_key", value_name = "PEM")]
        tls_cert: Option<std::path::PathBuf>,
        /// The private key of --tls-cert (PEM).
        #[arg(long, requires = "tls_cert", value_name = "PEM")]
        tls_key: Option<std::path::PathBuf>,
        /// Most connections held at once (lowered to fit the process's descriptor limit).
        #[arg(long, default_value_t = 4096)]
        max_connections: usize,
        /// Most connections from one client address (a reverse proxy counts as one).
        #[arg(long, default_value_t = 256)]
        max_connections_per_address: usize,
        /// Post accepted events to this ERP in the background: tryton://user@host:port/database.
        /// The password comes from DOCKHAND_ERP_PASSWORD or --erp-password-file.
        #[arg(long, env = "DOCKHAND_ERP")]
        erp: Option<String>,
        /// File holding the ERP user's password (first line).
        #[arg(long)]
        erp_password_file: Option<std::path::PathBuf>,
        /// Seconds between pulls of master data and documents from the ERP.
        #[arg(long, default_value_t = 10)]
        erp_pull_seconds: u64,
        /// ERP documents posted at once: a receipt's, a return's or an order's events stay in
        /// order, different documents go side by side, and a count or a void waits for every
        /// earlier event. 1 posts one event at a time.
        #[arg(long, default_value_t = dockhand_hub::erp::worker::DEFAULT_CONCURRENCY,
              value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=64))]
        erp_concurrency: usize,
        /// The console shows a device as offline once the hub has not heard from it for this
        /// many seconds.
        #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..=86400))]
        offline_after_seconds: u64,
        /// Development only: print a link that signs this console account in once, within 10
        /// minutes, without its password.
        #[arg(long, value_name = "NAME", conflicts_with = "production")]
        console_link: Option<String>,
    },
    /// The ERP connector's state.
    Erp {
        #[command(subcommand)]
        command: ErpCommand,
    },
    /// Load master data and tasks from a JSON file (items, units, barcodes, locations, operators,
    /// badges, expected_receipts, pick_tasks, count_tasks, expected_returns, opening_balances),
    /// or from a CSV file of one kind (--kind). Badges' PINs are hashed on the way in and never
    /// stored. Opening balances (the stock on the shelves at go-live, a row per bucket: location,
    /// sku, lot, expiry, serial, lpn, status, quantity) become one event of the hub's own, sent to
    /// every device with the stock and never to the ERP; one bad row refuses the whole file.
    Import {
        /// The JSON or CSV file.
        file: std::path::PathBuf,
        /// For a CSV file: items, units, barcodes, locations, operators, badges (operator_id,
        /// badge, pin), expected_receipts,
        /// pick_tasks or expected_returns (those three a row per line), count_tasks or
        /// opening_balances.
        #[arg(long)]
        kind: Option<String>,
        /// The site its locations, documents, tasks and opening balances are for (overrides the
        /// file's "site"; needed when the hub serves several sites). Items, units, barcodes,
        /// operators and badges are shared by every site.
        #[arg(long)]
        site: Option<String>,
        #[command(flatten)]
        database: Database,
    },
    /// Device tokens: issue, replace, revoke.
    Device {
        #[command(subcommand)]
        command: DeviceCommand,
    },
    /// Sites (warehouses) this hub serves: every device registers for one.
    Site {
        #[command(subcommand)]
        command: SiteCommand,
    },
    /// Exceptions the hub raised for a person: list, resolve, dismiss, retry.
    Exceptions {
        #[command(subcommand)]
        command: floor_cli::ExceptionCommand,
    },
    /// Pick and count tasks: list them with who holds each, assign and reassign.
    Tasks {
        #[command(subcommand)]
        command: floor_cli::TaskCommand,
    },
    /// Accounts of the supervisor's console (served by `serve` under /console).
    User {
        #[command(subcommand)]
        command: console_cli::UserCommand,
    },
}

#[derive(Subcommand)]
enum SiteCommand {
    /// Add a site (a hub starts with one, `main`).
    Add {
        /// Site id: 1 to 32 letters, digits, '.', '_' or '-'.
        site_id: String,
        /// A name people recognise.
        #[arg(long, default_value = "")]
        name: String,
        #[command(flatten)]
        database: Database,
    },
    /// Set the site's GS1 Company Prefix: its handhelds mint SSCCs for cartons and pallets under
    /// it, each from serial references the hub hands it alone.
    Prefix {
        /// The site.
        site_id: String,
        /// The GS1 Company Prefix (7 to 10 digits).
        prefix: String,
        /// The extension digit the site's SSCCs start with (0 to 9; another one when a prefix's
        /// serials run out).
        #[arg(long, default_value_t = 0)]
        extension: u8,
        #[command(flatten)]
        database: Database,
    },
}

#[derive(Subcommand)]
enum ErpCommand {
    /// Lag, last error and pending posts of the ERP connector (exit 1 when events were refused
    /// or a retry is under way).
    Status {
        /// Connector name.
        #[arg(long, default_value = "tryton")]
        name: String,
        /// Print JSON instead of sentences.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        database: Database,
    },
    /// Go-live: pull the ERP's master data, then load its stock on hand (by location, item and
    /// lot) as the hub's opening balance, sent to every device and never posted back. Stock in
    /// a location dockhand does not have, below zero or in fractions is listed, not loaded.
    OpeningBalance {
        /// The ERP: tryton://user@host:port/database (password from DOCKHAND_ERP_PASSWORD or
        /// --erp-password-file).
        #[arg(long, env = "DOCKHAND_ERP")]
        erp: String,
        /// File holding the ERP user's password (first line).
        #[arg(long)]
        erp_password_file: Option<std::path::PathBuf>,
        /// Read and show what would be loaded; write nothing (the master-data pull aside).
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        database: Database,
    },
    /// Send a site's held count lines to the ERP now, without waiting for every handheld to
    /// sync past them (one is lost or off shift): each line's reconciled net is posted.
    ReleaseCounts {
        /// Who releases them (recorded with each line).
        #[arg(long)]
        by: String,
        /// Only this count task's lines.
        #[arg(long)]
        task: Option<String>,
        /// The site (needed when the hub serves several).
        #[arg(long)]
        site: Option<String>,
        #[command(flatten)]
        database: Database,
    },
}

#[derive(Subcommand)]
enum DeviceCommand {
    /// Register a device and print a new token for it.
    Issue {
        /// Device id.
        device_id: String,
        /// A name people recognise.
        #[arg(long, default_value = "")]
        name: String,
        /// Token lifetime in hours (1 to 8784, a year).
        #[arg(long, default_value_t = 720, value_parser = clap::value_parser!(u64).range(1..=8784))]
        ttl_hours: u64,
        /// Replace the handheld registered under this id: its older tokens stop working at once
        /// (and a revoked id is admitted again).
        #[arg(long)]
        replace: bool,
        /// The device's Ed25519 public key (64 hex digits; the app shows it). Without it, the
        /// device tells the hub its key on first contact.
        #[arg(long)]
        public_key: Option<String>,
        /// The site the device works in (none: the one it has, or the hub's only site; with
        /// --replace, moves it).
        #[arg(long)]
        site: Option<String>,
        #[command(flatten)]
        database: Database,
    },
    /// Accept the fork a device is held for (its database was restored or copied): its events
    /// flow again from its own chain; the conflicting ones are listed as exceptions.
    AcceptFork {
        /// Device id.
        device_id: String,
        #[command(flatten)]
        database: Database,
    },
    /// Revoke a device: its tokens stop working at once and it cannot register again until an
    /// administrator issues it anew with --replace.
    Revoke {
        /// Device id.
        device_id: String,
        /// Revoke only its tokens (it may be issued a new one without --replace).
        #[arg(long)]
        tokens_only: bool,
        #[command(flatten)]
        database: Database,
    },
}

/// The shortest secret or admin token production mode takes.
const MIN_SECRET: usize = 16;

/// Refuses an empty or short secret: `--registration-secret ''` must not let `""` register.
fn check_secret(what: &str, value: Option<&str>) -> Result<(), String> {
    match value {
        Some(v) if v.trim().chars().count() < MIN_SECRET => Err(format!(
            "{what} has {} characters; production needs at least {MIN_SECRET} (e.g. `openssl rand -hex 24`), or leave it unset",
            v.trim().chars().count()
        )),
        _ => Ok(()),
    }
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        // Colour only on a terminal: a log file or a collector gets plain text.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("dockhand-hub: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Serve {
            listen,
            database,
            production,
            registration_secret,
            admin_token,
            token_ttl_hours,
            max_connections,
            max_connections_per_address,
            tls_cert,
            tls_key,
            erp,
            erp_password_file,
            erp_pull_seconds,
            erp_concurrency,
            offline_after_seconds,
            console_link,
        } => {
            let connector = match erp {
                Some(uri) => Some(erp_connector(&uri, erp_password_file.as_deref())?),
                None => None,
            };
            if production && admin_token.is_none() {
                return Err(
                    "production mode needs --admin-token (or DOCKHAND_HUB_ADMIN_TOKEN)".into(),
                );
            }
            check_secret(
                "--registration-secret (DOCKHAND_HUB_REGISTRATION_SECRET)",
                registration_secret.as_deref(),
            )?;
            check_secret(
                "--admin-token (DOCKHAND_HUB_ADMIN_TOKEN)",
                admin_token.as_deref(),
            )?;
            let tls = match (&tls_cert, &tls_key) {
                (Some(cert), Some(key)) => {
                    Some(dockhand_hub::tls::server_config(cert, key).map_err(|e| e.to_string())?)
                }
                _ => None,
            };
            let scheme = if tls.is_some() { "https" } else { "http" };
            // Listen first: a hub that cannot bind leaves no new database behind.
            let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
            let listener = runtime
                .block_on(tokio::net::TcpListener::bind(listen))
                .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
            let store = open_store(&database.database).map_err(|e| e.to_string())?;
            let mut config = HubConfig {
                tls,
                development: !production,
                registration_secret,
                admin_token,
                token_ttl: Duration::from_secs(token_ttl_hours * 3600),
                offline_after: Duration::from_secs(offline_after_seconds),
                limits: ConnectionLimits {
                    max_connections,
                    max_connections_per_address,
                    ..ConnectionLimits::default()
                },
                ..HubConfig::default()
            };
            // Outside the runtime: the PostgreSQL client blocks.
            let accounts = store.console_users().map(|u| u.len()).unwrap_or_default();
            let link = match console_link {
                Some(name) => {
                    if store
                        .console_user(&name)
                        .map_err(|e| e.to_string())?
                        .is_none()
                    {
                        return Err(format!(
                            "--console-link {name}: the hub has no console account {name}; add it \
                             with `dockhand-hub user add {name} --role supervisor`"
                        ));
                    }
                    let (token, link) = dockhand_hub::console::link::new_link(&name);
                    config.console_link = Some(link);
                    Some((name, token))
                }
                None => None,
            };
            if config.development {
                tracing::warn!(
                    "DEVELOPMENT MODE: any device may register itself and admin endpoints are open. \
                     Never expose this hub beyond a test bench; use --production."
                );
            }
            runtime.block_on(async move {
                let url = format!("{scheme}://{}", listener.local_addr().map_err(|e| e.to_string())?);
                tracing::info!(%url, backend = store.backend(), database = %redact(&database.database), "dockhand-hub serving");
                println!("dockhand-hub serving {url}");
                println!(
                    "console: {url}/console{}",
                    if accounts == 0 {
                        " (no accounts yet: add one with `dockhand-hub user add NAME --role supervisor`)"
                    } else {
                        ""
                    }
                );
                if let Some((name, token)) = &link {
                    println!(
                        "console sign-in link for {name} (once, within {} minutes): \
                         {url}/console/signin/link?token={token}",
                        dockhand_hub::console::link::LINK_FOR.as_secs() / 60
                    );
                }
                if scheme == "http" && !listen.ip().is_loopback() {
                    tracing::warn!(
                        "serving plain HTTP beyond loopback: tokens travel in clear text; use --tls-cert/--tls-key or a TLS-terminating reverse proxy (docs/operations.md)"
                    );
                }
                tokio::spawn(housekeeping(store.clone()));
                let stop = Arc::new(AtomicBool::new(false));
                if let Some(connector) = connector {
                    tracing::info!(erp = ?connector.config(), "posting accepted events to the ERP");
                    tokio::spawn(worker::run(
                        store.clone(),
                        Arc::new(connector),
                        WorkerConfig {
                            pull_every: Duration::from_secs(erp_pull_seconds.max(1)),
                            concurrency: erp_concurrency,
                            instance: listen.to_string(),
                            ..WorkerConfig::default()
                        },
                        stop.clone(),
                    ));
                }
                let served = dockhand_hub::serve(listener, store, config, async {
                    let _ = tokio::signal::ctrl_c().await;
                })
                .await
                .map_err(|e| e.to_string());
                stop.store(true, std::sync::atomic::Ordering::Release);
                served
            })
        }
        Command::Import {
            file,
            kind,
            site,
            database,
        } => {
            let mut data: Import = match kind {
                Some(kind) => {
                    dockhand_hub::csv_import::read(&file, &kind).map_err(|e| e.to_string())?
                }
                None => {
                    let text = std::fs::read_to_string(&file)
                        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
                    serde_json::from_str(&text)
                        .map_err(|e| format!("{} is not an import file: {e}", file.display()))?
                }
            };
            if site.is_some() {
                data.site = site;
            }
            let store = open_store(&database.database).map_err(|e| e.to_string())?;
            let name = file.display().to_string();
            let from = dockhand_hub::store::ImportSource {
                origin: dockhand_protocol::sync::HubEventOrigin::Import,
                name: &name,
            };
            let result = store.import(&data, &from).map_err(|e| e.to_string())?;
            println!(
                "imported {}: {} changed, {} unchanged",
                file.display(),
                result.changed,
                result.unchanged
            );
            if result.opening_buckets > 0 {
                println!(
                    "opening balances: {} buckets, {} base units added to the hub's stock (the \
                     devices get them on their next pull; the ERP is not sent them)",
                    result.opening_buckets, result.opening_units
                );
            }
            Ok(())
        }
        Command::Erp {
            command:
                ErpCommand::Status {
                    name,
                    json,
                    database,
                },
        } => {
            let store =
                dockhand_hub::open_existing_store(&database.database).map_err(|e| e.to_string())?;
            let status = store.erp_status(&name).map_err(|e| e.to_string())?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&status).map_err(|e| e.to_string())?
                );
            } else {
                println!("{}", status.describe());
            }
            if status.failed > 0 || status.last_error.is_some() {
                return Err(format!(
                    "{} refused event(s), {}",
                    status.failed,
                    status.last_error.as_deref().unwrap_or("no retry under way")
                ));
            }
            Ok(())
        }
        Command::Erp {
            command:
                ErpCommand::ReleaseCounts {
                    by,
                    task,
                    site,
                    database,
                },
        } => {
            let by = by.trim();
            if by.is_empty() {
                return Err("--by must name who releases the counts".into());
            }
            let store =
                dockhand_hub::open_existing_store(&database.database).map_err(|e| e.to_string())?;
            let sites = store.sites().map_err(|e| e.to_string())?;
            let site = dockhand_hub::store::site_named(
                site.as_deref(),
                &sites,
                "whose counts to release (--site)",
            )
            .map_err(|e| e.to_string())?;
            let released = store
                .release_counts(&site, task.as_deref(), by, &dockhand_hub::now_text())
                .map_err(|e| e.to_string())?;
            if released.is_empty() {
                return Err(format!(
                    "no count line{} is held at site {site}",
                    task.map(|t| format!(" of task {t}")).unwrap_or_default()
                ));
            }
            for c in &released {
                println!(
                    "released to the ERP: count task {} round {} at {}: {}{} found {} (counted at {} on {})",
                    c.task_id,
                    c.round,
                    c.location,
                    c.sku,
                    if c.lot.is_empty() {
                        String::new()
                    } else {
                        format!(" lot {}", c.lot)
                    },
                    c.found,
                    c.counted_at,
                    c.device_id
                );
            }
            Ok(())
        }
        Command::Erp {
            command:
                ErpCommand::OpeningBalance {
                    erp,
                    erp_password_file,
                    dry_run,
                    database,
                },
        } => {
            let connector = erp_connector(&erp, erp_password_file.as_deref())?;
            let store = open_store(&database.database).map_err(|e| e.to_string())?;
            let port = dockhand_hub::erp::port(&store);
            let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
            let report = runtime.block_on(
                dockhand_hub::erp::go_live::opening_balance_from_tryton(&port, &connector, dry_run),
            )?;
            println!("{}", report.describe());
            Ok(())
        }
        Command::Exceptions { command } => floor_cli::exceptions(command),
        Command::Tasks { command } => floor_cli::tasks(command),
        Command::User { command } => console_cli::run(command),
        Command::Site {
            command:
                SiteCommand::Add {
                    site_id,
                    name,
                    database,
                },
        } => {
            let store = open_store(&database.database).map_err(|e| e.to_string())?;
            let name = if name.is_empty() {
                site_id.clone()
            } else {
                name
            };
            if store
                .add_site(&site_id, &name, &dockhand_hub::now_text())
                .map_err(|e| e.to_string())?
            {
                println!(
                    "site {site_id} added ({name}): devices register for it with --site {site_id}"
                );
            } else {
                println!("site {site_id} exists already: nothing changed");
            }
            Ok(())
        }
        Command::Site {
            command:
                SiteCommand::Prefix {
                    site_id,
                    prefix,
                    extension,
                    database,
                },
        } => {
            let store = open_store(&database.database).map_err(|e| e.to_string())?;
            dockhand_hub::sscc::set_prefix(store.as_ref(), &site_id, &prefix, extension)
                .map_err(|e| e.to_string())?;
            println!(
                "site {site_id}: SSCCs are minted as {extension} {prefix} + serial reference + \
                 check digit; handhelds get their serials as they sync (within a minute)"
            );
            Ok(())
        }
        Command::Device {
            command:
                DeviceCommand::Issue {
                    device_id,
                    name,
                    ttl_hours,
                    replace,
                    public_key,
                    site,
                    database,
                },
        } => {
            let store = open_store(&database.database).map_err(|e| e.to_string())?;
            let issued = api::issue_token(
                store.as_ref(),
                &device_id,
                &name,
                Duration::from_secs(ttl_hours * 3600),
                if replace {
                    GrantMode::Replace
                } else {
                    GrantMode::New
                },
                public_key.as_deref(),
                site.as_deref(),
            )
            .map_err(|e| e.to_string())?;
            println!(
                "{}",
                serde_json::to_string_pretty(&issued).map_err(|e| e.to_string())?
            );
            Ok(())
        }
        Command::Device {
            command:
                DeviceCommand::AcceptFork {
                    device_id,
                    database,
                },
        } => {
            let store = open_store(&database.database).map_err(|e| e.to_string())?;
            store.accept_fork(&device_id).map_err(|e| e.to_string())?;
            println!(
                "accepted the fork of device {device_id}: its next event re-anchors its chain"
            );
            Ok(())
        }
        Command::Device {
            command:
                DeviceCommand::Revoke {
                    device_id,
                    tokens_only,
                    database,
                },
        } => {
            let store = open_store(&database.database).map_err(|e| e.to_string())?;
            let tokens = if tokens_only {
                store.revoke_tokens(&device_id)
            } else {
                store.revoke_device(&device_id, &api::now_text())
            }
            .map_err(|e| e.to_string())?;
            println!(
                "{} {device_id}: {tokens} token(s) stopped working",
                if tokens_only {
                    "revoked the tokens of"
                } else {
                    "revoked device"
                }
            );
            Ok(())
        }
    }
}

/// Removes expired tokens and old refusals every ten minutes, and logs the devices that need a
/// person (many events held for a gap, many rejected).
async fn housekeeping(store: Arc<dyn dockhand_hub::HubStore>) {
    let mut every = tokio::time::interval(Duration::from_secs(600));
    loop {
        every.tick().await;
        let store = store.clone();
        match tokio::task::spawn_blocking(move || store.housekeep(&api::now_text())).await {
            Ok(Ok(done)) => {
                if done.expired_tokens + done.refusals + done.rejected_bodies > 0 {
                    tracing::info!(
                        expired_tokens = done.expired_tokens,
                        refusals = done.refusals,
                        rejected_bodies = done.rejected_bodies,
                        "housekeeping removed what is no longer needed"
                    );
                }
                for (device, held) in done.devices_holding {
                    tracing::warn!(%device, held, "ALERT: device has many events held for a gap in its seq");
                }
                for (device, rejected) in done.devices_rejected {
                    tracing::warn!(%device, rejected, "ALERT: device has many rejected events");
                }
                for (device, skew_ms) in done.devices_clock_off {
                    tracing::warn!(%device, skew_ms, "ALERT: device clock is more than 5 minutes from the hub's");
                }
            }
            Ok(Err(e)) => tracing::error!(error = %e, "housekeeping failed"),
            Err(e) => tracing::error!(error = %e, "housekeeping task failed"),
        }
    }
}

/// The Tryton connector for `uri`, with the password from DOCKHAND_ERP_PASSWORD or `file`.
fn erp_connector(uri: &str, file: Option<&std::path::Path>) -> Result<TrytonConnector, String> {
    let password = match file {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the ERP password file {}: {e}", path.display()))?
            .lines()
            .next()
            .unwrap_or_default()
            .to_string(),
        None => std::env::var("DOCKHAND_ERP_PASSWORD").unwrap_or_default(),
    };
    let config = TrytonConfig::parse(uri, password)?;
    TrytonConnector::new(config).map_err(|e| e.to_string())
}
