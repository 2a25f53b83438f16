//! What each SQL statement costs while some work runs on a store: the write path's profile
//! (`dockhand bench` prints one pick confirm's). Each statement is timed with the monotonic clock
//! from its first step to its reset, and SQLite counts the virtual-machine steps it took (a
//! statement that walks rows takes many; a point look-up, a few dozen).
//!
//! The timing adds its own cost to every statement (a clock read and a map update), so the
//! figures are for comparing statements with each other, not for adding up to a command's time.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use rusqlite::StatementStatus;
use rusqlite::trace::{TraceEvent, TraceEventCodes};

use crate::db::Store;
use crate::error::Result;

/// One statement's runs during the profiled work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementCost {
    /// Its SQL, as written.
    pub sql: String,
    /// Times it ran.
    pub runs: u64,
    /// Time spent in it over all runs, from first step to reset.
    pub elapsed: Duration,
    /// SQLite virtual-machine steps over all runs.
    pub vm_steps: u64,
}

/// Statements started and not yet reset: when and at how many steps each started.
type Running = HashMap<String, (Instant, i32)>;

/// Statements' costs gathered over one or more pieces of profiled work.
#[derive(Debug, Default)]
pub struct Profile {
    costs: Arc<Mutex<HashMap<String, StatementCost>>>,
}

impl Profile {
    /// Runs `work` with every statement of `store`'s connection timed, adding them to this
    /// profile. Work the store does on other threads meanwhile is counted too: profile on a store
    /// nothing else uses.
    pub fn run<T>(&mut self, store: &Store, work: impl FnOnce() -> Result<T>) -> Result<T> {
        let seen = Arc::clone(&self.costs);
        let mut running = Running::new();
        store.trace(Some(Box::new(move |event: TraceEvent<'_>| match event {
            // A trigger's program reports as "-- TRIGGER name": part of the statement that fired it.
            TraceEvent::Stmt(_, sql) if sql.starts_with("--") => {}
            TraceEvent::Stmt(stmt, _) => {
                let steps = stmt.get_status(StatementStatus::VmStep);
                running.insert(stmt.sql().into_owned(), (Instant::now(), steps));
            }
            TraceEvent::Profile(stmt, _) => {
                let sql = stmt.sql();
                let Some((started, steps)) = running.remove(sql.as_ref()) else {
                    return;
                };
                let elapsed = started.elapsed();
                let steps = stmt
                    .get_status(StatementStatus::VmStep)
                    .saturating_sub(steps);
                let mut costs = seen.lock().unwrap_or_else(PoisonError::into_inner);
                let cost = costs
                    .entry(sql.into_owned())
                    .or_insert_with_key(|sql| StatementCost {
                        sql: sql.clone(),
                        runs: 0,
                        elapsed: Duration::ZERO,
                        vm_steps: 0,
                    });
                cost.runs += 1;
                cost.elapsed += elapsed;
                cost.vm_steps += u64::try_from(steps).unwrap_or(0);
            }
            _ => {}
        })))?;
        let value = work();
        store.trace(None)?;
        value
    }

    /// The statements run so far, costliest first.
    pub fn costs(&self) -> Vec<StatementCost> {
        let costs = self.costs.lock().unwrap_or_else(PoisonError::into_inner);
        let mut costs: Vec<StatementCost> = costs.values().cloned().collect();
        costs.sort_by(|a, b| b.elapsed.cmp(&a.elapsed).then_with(|| a.sql.cmp(&b.sql)));
        costs
    }
}

/// Runs `work` with every statement of `store`'s connection timed, and returns its value with the
/// statements it ran, costliest first ([`Profile::run`]).
pub fn statements<T>(
    store: &Store,
    work: impl FnOnce() -> Result<T>,
) -> Result<(T, Vec<StatementCost>)> {
    let mut profile = Profile::default();
    let value = profile.run(store, work)?;
    Ok((value, profile.costs()))
}

/// What the store's connection reports to a tracer.
pub(crate) type Tracer = Box<dyn FnMut(TraceEvent<'_>) + Send>;

/// The trace events a tracer receives.
pub(crate) fn traced_events() -> TraceEventCodes {
    TraceEventCodes::SQLITE_TRACE_STMT | TraceEventCodes::SQLITE_TRACE_PROFILE
}
