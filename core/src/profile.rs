//! What each SQL statement costs while some work runs on a store: the write path's profile
//! (`dockhand bench` prints one pick confirm's). Each statement is timed with the monotonic clock
//! from its first step to its reset, and SQLite counts the virtual-machine steps it took (a
//! statement that walks rows takes many; a point look-up, a few dozen).
//!
//! The timing adds its own cost to every statement (clock reads and a map update, about half a
//! microsecond here), so a sum of the figures overstates the statements' share of a command: they
//! are for comparing statements with each other.

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

/// Statements started and not yet reset, by their SQL (the same text may be open twice): when
/// and at how many steps each started.
type Running = HashMap<String, Vec<(Instant, i32)>>;

/// The store's tracer, removed when this goes away.
struct Tracing<'a>(&'a Store);

impl Tracing<'_> {
    /// Removes the tracer now, saying whether that worked.
    fn end(self) -> Result<()> {
        let ended = self.0.trace(None);
        std::mem::forget(self);
        ended
    }
}

impl Drop for Tracing<'_> {
    /// The work panicked: the tracer goes anyway (a closed store has none left to remove).
    fn drop(&mut self) {
        let _ = self.0.trace(None);
    }
}

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
            // A trigger's program reports its own text ("-- TRIGGER name") on the statement that
            // fired it: part of that statement, not one of its own.
            TraceEvent::Stmt(stmt, sql) if sql != stmt.sql() => {}
            TraceEvent::Stmt(stmt, _) => {
                let steps = stmt.get_status(StatementStatus::VmStep);
                running
                    .entry(stmt.sql().into_owned())
                    .or_default()
                    .push((Instant::now(), steps));
            }
            TraceEvent::Profile(stmt, _) => {
                let sql = stmt.sql();
                let Some((started, steps)) = running.get_mut(sql.as_ref()).and_then(Vec::pop)
                else {
                    return;
                };
                let elapsed = started.elapsed();
                // SQLite's counter is an unsigned 32-bit count over the statement's life.
                let steps =
                    (stmt.get_status(StatementStatus::VmStep) as u32).wrapping_sub(steps as u32);
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
                cost.vm_steps += u64::from(steps);
            }
            _ => {}
        })))?;
        // Removed however the work ends, a panic included; the work's own error comes first.
        let tracing = Tracing(store);
        let value = work();
        let ended = tracing.end();
        let value = value?;
        ended.map(|()| value)
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
