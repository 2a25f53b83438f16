//! `dockhand-hub exceptions …` and `dockhand-hub tasks …`: a supervisor's floor work from the
//! command line, on the hub's database (the same rules as the admin API).

use clap::Subcommand;
use dockhand_hub::HubStore;
use dockhand_protocol::exceptions::{ExceptionAction, RaisedException};
use dockhand_protocol::tasks::{AssignRequest, TaskClaim, TaskKind};

use super::Database;

#[derive(Subcommand)]
pub(crate) enum ExceptionCommand {
    /// List the site's exceptions, oldest first.
    List {
        /// The site (needed when the hub serves several).
        #[arg(long)]
        site: Option<String>,
        /// Only this kind: refused_event, erp_refused, stock_below_zero, double_worked.
        #[arg(long)]
        kind: Option<String>,
        /// Only this state: open, resolved, dismissed, retried.
        #[arg(long)]
        state: Option<String>,
        #[command(flatten)]
        database: Database,
    },
    /// Settle an exception with a note on what was done.
    Resolve {
        /// The exception's number.
        id: i64,
        /// Who resolves it.
        #[arg(long)]
        by: String,
        /// What was done or found.
        #[arg(long)]
        note: String,
        #[command(flatten)]
        database: Database,
    },
    /// Settle an exception as needing nothing.
    Dismiss {
        /// The exception's number.
        id: i64,
        /// Who dismisses it.
        #[arg(long)]
        by: String,
        /// Why.
        #[arg(long)]
        note: Option<String>,
        #[command(flatten)]
        database: Database,
    },
    /// Try a refused event again once the cause is fixed (an ERP refusal is posted again by the
    /// running hub's connector).
    Retry {
        /// The exception's number.
        id: i64,
        /// Who retries it.
        #[arg(long)]
        by: String,
        #[command(flatten)]
        database: Database,
    },
}

#[derive(Subcommand)]
pub(crate) enum TaskCommand {
    /// List the site's pick and count tasks with who holds each.
    List {
        /// The site (needed when the hub serves several).
        #[arg(long)]
        site: Option<String>,
        #[command(flatten)]
        database: Database,
    },
    /// Give a task to a device (and operator), take it from its holder, or free it (no --device).
    Assign {
        /// The task.
        task_id: String,
        /// pick or count.
        #[arg(long)]
        kind: String,
        /// The device to work it.
        #[arg(long)]
        device: Option<String>,
        /// The operator to work it.
        #[arg(long)]
        operator: Option<String>,
        /// Who assigns it.
        #[arg(long)]
        by: String,
        /// The site (needed when the hub serves several).
        #[arg(long)]
        site: Option<String>,
        #[command(flatten)]
        database: Database,
    },
}

fn store(database: &Database) -> Result<std::sync::Arc<dyn HubStore>, String> {
    dockhand_hub::open_existing_store(&database.database).map_err(|e| e.to_string())
}

fn site(store: &dyn HubStore, asked: Option<&str>, what: &str) -> Result<String, String> {
    let sites = store.sites().map_err(|e| e.to_string())?;
    dockhand_hub::store::site_named(asked, &sites, what).map_err(|e| e.to_string())
}

/// One exception in a line (and its note on the next).
fn describe(e: &RaisedException) -> String {
    let mut line = format!(
        "#{} {} {} on {} at {}: {}",
        e.id, e.state, e.kind, e.device_id, e.raised_at, e.reason
    );
    if let Some(by) = &e.settled_by {
        line.push_str(&format!(
            "\n    {} by {by} at {}{}",
            e.state,
            e.settled_at.as_deref().unwrap_or("?"),
            e.note
                .as_deref()
                .map(|n| format!(": {n}"))
                .unwrap_or_default()
        ));
    }
    line
}

pub(crate) fn exceptions(command: ExceptionCommand) -> Result<(), String> {
    let now = dockhand_hub::now_text();
    let settled = match command {
        ExceptionCommand::List {
            site: asked,
            kind,
            state,
            database,
        } => {
            let store = store(&database)?;
            let site = site(
                store.as_ref(),
                asked.as_deref(),
                "whose exceptions (--site)",
            )?;
            let list = dockhand_hub::exceptions::list(
                store.as_ref(),
                &site,
                kind.as_deref(),
                state.as_deref(),
            )
            .map_err(|e| e.to_string())?;
            if list.is_empty() {
                println!("no exception at site {site}");
            }
            for e in &list {
                println!("{}", describe(e));
            }
            return Ok(());
        }
        ExceptionCommand::Resolve {
            id,
            by,
            note,
            database,
        } => dockhand_hub::exceptions::resolve(
            store(&database)?.as_ref(),
            id,
            &ExceptionAction {
                by,
                note: Some(note),
            },
            &now,
        ),
        ExceptionCommand::Dismiss {
            id,
            by,
            note,
            database,
        } => dockhand_hub::exceptions::dismiss(
            store(&database)?.as_ref(),
            id,
            &ExceptionAction { by, note },
            &now,
        ),
        ExceptionCommand::Retry { id, by, database } => dockhand_hub::exceptions::retry(
            store(&database)?.as_ref(),
            id,
            &ExceptionAction { by, note: None },
            &now,
        ),
    }
    .map_err(|e| e.to_string())?;
    if settled.state == dockhand_protocol::exceptions::OPEN {
        println!(
            "exception {}: the ERP connectors that refused event {} post it again with the \
             running hub's next pass; it settles once the ERP takes it",
            settled.id, settled.subject
        );
    } else {
        println!("{}", describe(&settled));
    }
    Ok(())
}

fn describe_claim(claim: &TaskClaim) -> String {
    match claim.holder() {
        Some(holder) => format!(
            "{} {holder} (by {} at {})",
            claim.how.held_words(),
            claim.by,
            claim.at
        ),
        None => format!("free (released by {} at {})", claim.by, claim.at),
    }
}

pub(crate) fn tasks(command: TaskCommand) -> Result<(), String> {
    match command {
        TaskCommand::List {
            site: asked,
            database,
        } => {
            let store = store(&database)?;
            let site = site(store.as_ref(), asked.as_deref(), "whose tasks (--site)")?;
            let list =
                dockhand_hub::tasks::list(store.as_ref(), &site).map_err(|e| e.to_string())?;
            if list.is_empty() {
                println!("no task at site {site}");
            }
            for t in &list {
                println!(
                    "{} {} {}: {}; {}",
                    t.task_kind,
                    t.task_id,
                    t.summary,
                    t.progress,
                    t.claim
                        .as_ref()
                        .map_or("nobody holds it".into(), describe_claim)
                );
            }
            Ok(())
        }
        TaskCommand::Assign {
            task_id,
            kind,
            device,
            operator,
            by,
            site,
            database,
        } => {
            let task_kind = TaskKind::parse(&kind)
                .ok_or_else(|| format!("--kind {kind:?} is not a task kind (pick or count)"))?;
            let claim = dockhand_hub::tasks::assign(
                store(&database)?.as_ref(),
                &AssignRequest {
                    site,
                    task_kind,
                    task_id,
                    device_id: device,
                    operator_id: operator,
                    assigned_by: by,
                },
                &dockhand_hub::now_text(),
            )
            .map_err(|e| e.to_string())?;
            println!(
                "{} task {}: {}",
                claim.task_kind,
                claim.task_id,
                describe_claim(&claim)
            );
            Ok(())
        }
    }
}
