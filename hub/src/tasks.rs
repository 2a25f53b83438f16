//! Who works which task. A device claims a pick or count task (first claim wins), gives it back,
//! or a supervisor assigns it; a device that starts a task nobody holds (offline) holds it from its
//! first event the hub accepts. Each decision is a `task_claim` row in the changes feed, so every
//! device of the site shows "claimed by handheld-09 (bob)" after its next pull.
//!
//! From the events it accepts the hub also knows how far each of its tasks is (a done or
//! cancelled task takes no claim) and which devices worked it: when a second device records work on
//! a task, both sets of work stand (they are physical facts) and an exception names both.

use std::collections::HashMap;

use dockhand_protocol::events::{CountOutcome, EventBody};
use dockhand_protocol::exceptions::DOUBLE_WORKED;
use dockhand_protocol::master::{CountTaskRequest, Operator, PickTaskRequest};
use dockhand_protocol::sync::{ChangeKind, Envelope};
use dockhand_protocol::tasks::{
    AssignRequest, ClaimHow, ClaimRequest, TaskClaim, TaskKind, TaskListing, TaskProgress,
    claim_key,
};

use crate::body::{name_field, optional_name, short_text};
use crate::error::{HubError, HubResult};
use crate::store::{HubStore, IntakeTx, NewException, ProgressRow, TaskWorker};

/// What an accepted event says about its task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskFact {
    /// Pick or count.
    pub kind: TaskKind,
    /// The task.
    pub task_id: String,
    /// What it did to the task's progress.
    pub step: Step,
}

/// What an event did to its task's progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// A pick task started with this many base units ordered.
    Started(i64),
    /// Base units picked or found short.
    Settled(i64),
    /// Work that changes no quantity (a count started, a round to count again).
    Worked,
    /// The count is settled.
    Done,
    /// Cancelled.
    Cancelled,
}

/// The task an event works on, if any.
pub fn fact_of(body: &EventBody) -> Option<TaskFact> {
    let (kind, task_id, step) = match body {
        EventBody::PickTaskStarted(e) => (
            TaskKind::Pick,
            &e.task_id,
            Step::Started(
                e.lines
                    .iter()
                    .fold(0i64, |sum, l| sum.saturating_add(l.quantity.max(0))),
            ),
        ),
        EventBody::PickConfirmed(e) => (
            TaskKind::Pick,
            &e.task_id,
            Step::Settled(e.base_quantity.max(0)),
        ),
        EventBody::PickShort(e) => (TaskKind::Pick, &e.task_id, Step::Settled(e.short.max(0))),
        EventBody::PickTaskCancelled(e) => (TaskKind::Pick, &e.task_id, Step::Cancelled),
        EventBody::CountStarted(e) => (TaskKind::Count, &e.task_id, Step::Worked),
        EventBody::Counted(e) => (
            TaskKind::Count,
            &e.task_id,
            match e.outcome {
                CountOutcome::NoVariance | CountOutcome::Adjusted => Step::Done,
                CountOutcome::RecountRequired | CountOutcome::ApprovalRequired => Step::Worked,
            },
        ),
        EventBody::CountAdjusted(e) => (TaskKind::Count, &e.task_id, Step::Done),
        _ => return None,
    };
    Some(TaskFact {
        kind,
        task_id: task_id.clone(),
        step,
    })
}

/// Notes an accepted event's work on one of the hub's tasks (a task a device made itself is not
/// the hub's to track).
pub fn on_accepted(
    tx: &mut dyn IntakeTx,
    event: &Envelope,
    fact: &TaskFact,
    now: &str,
) -> HubResult<()> {
    let kind = fact.kind.as_str();
    let before = match tx.task_progress(kind, &fact.task_id)? {
        Some(row) => row,
        None if task_row(tx, fact.kind, &fact.task_id)?.is_some() => ProgressRow {
            kind: kind.into(),
            task_id: fact.task_id.clone(),
            progress: TaskProgress::Open.as_str().into(),
            ordered: 0,
            settled: 0,
        },
        None => return Ok(()),
    };
    // One decision at a time per site: two hub instances taking two devices' work on one task
    // must see each other's (the second raises the exception; neither loses the other's count).
    tx.lock_site()?;
    let before = tx.task_progress(kind, &fact.task_id)?.unwrap_or(before);
    let mut row = before.clone();
    match fact.step {
        Step::Started(ordered) if row.ordered == 0 => row.ordered = ordered,
        Step::Settled(quantity) => row.settled = row.settled.saturating_add(quantity),
        Step::Done => row.progress = TaskProgress::Done.as_str().into(),
        Step::Cancelled => row.progress = TaskProgress::Cancelled.as_str().into(),
        Step::Started(_) | Step::Worked => {}
    }
    if row.progress == TaskProgress::Open.as_str() {
        row.progress = TaskProgress::InProgress.as_str().into();
    }
    if fact.kind == TaskKind::Pick
        && row.ordered > 0
        && row.settled >= row.ordered
        && row.progress == TaskProgress::InProgress.as_str()
    {
        row.progress = TaskProgress::Done.as_str().into();
    }
    if row != before {
        tx.set_task_progress(&row)?;
    }
    let workers = tx.task_workers(kind, &fact.task_id)?;
    let new_worker = !workers.iter().any(|w| w.device_id == event.device_id);
    if new_worker {
        let worker = TaskWorker {
            device_id: event.device_id.clone(),
            event_id: event.event_id.to_string(),
            seq: event.seq,
            at: now.into(),
        };
        tx.add_task_worker(kind, &fact.task_id, &worker)?;
        if let Some(first) = workers.first() {
            tx.raise_exception(&double_worked(fact, first, event, now))?;
        }
    }
    if new_worker || row.progress != before.progress {
        let progress = progress_of(&row);
        let mut claim = current_claim(tx, fact.kind, &fact.task_id)?
            .unwrap_or_else(|| unclaimed(fact.kind, &fact.task_id, progress, now));
        claim.progress = progress;
        if new_worker {
            claim.worked_by.push(event.device_id.clone());
            if claim.device_id.is_none() {
                claim.device_id = Some(event.device_id.clone());
                claim.operator_id = Some(event.user_id.clone());
                claim.operator_name = operator_name(tx, &event.user_id)?;
                claim.how = ClaimHow::Started;
                claim.by = event.device_id.clone();
                claim.at = now.into();
            }
        }
        store_claim(tx, &claim)?;
    }
    Ok(())
}

/// The exception for a second device's work on a task.
fn double_worked(fact: &TaskFact, first: &TaskWorker, event: &Envelope, now: &str) -> NewException {
    let what = match fact.kind {
        TaskKind::Pick => "both sets of picks stand: check what reached staging against the order",
        TaskKind::Count => "both counts stand: check the location's stock",
    };
    NewException {
        kind: DOUBLE_WORKED,
        code: String::new(),
        subject: claim_key(fact.kind, &fact.task_id),
        device_id: event.device_id.clone(),
        event_ids: vec![first.event_id.clone(), event.event_id.to_string()],
        reason: format!(
            "{} task {} was worked by {} (event #{}, {}) and by {} (event #{} {}, {}); {what}",
            fact.kind,
            fact.task_id,
            first.device_id,
            first.seq,
            first.event_id,
            event.device_id,
            event.seq,
            event.event_type,
            event.event_id,
        ),
        raised_at: now.into(),
    }
}

/// `POST /v1/tasks/claim`: the device takes a task nobody else holds.
pub fn claim(
    store: &dyn HubStore,
    device_id: &str,
    asked: &ClaimRequest,
    now: &str,
) -> HubResult<TaskClaim> {
    let site = device_site(store, device_id)?;
    let task_id = name_field("task_id", &asked.task_id, "a task")?;
    let operator = optional_name(
        "operator_id",
        asked.operator_id.as_deref(),
        "the operator signed in",
    )?;
    decide(store, &site, |tx| {
        let mut claim = open_claim(tx, &site, asked.task_kind, &task_id, now)?;
        if let Some(holder) = claim.holder()
            && claim.device_id.as_deref() != Some(device_id)
        {
            return Err(HubError::TaskClaimed(format!(
                "{} task {task_id} is {} {holder} since {}; a supervisor can reassign it",
                asked.task_kind,
                claim.how.held_words(),
                claim.at
            )));
        }
        let operator_name = match &operator {
            Some(id) => known_operator(tx, id)?,
            None => None,
        };
        if claim.device_id.as_deref() == Some(device_id)
            && (operator.is_none() || claim.operator_id == operator)
        {
            return Ok(claim);
        }
        if claim.device_id.as_deref() != Some(device_id) {
            claim.how = ClaimHow::Claimed;
            claim.by = device_id.into();
            claim.at = now.into();
        }
        claim.device_id = Some(device_id.into());
        claim.operator_id = operator.clone();
        claim.operator_name = operator_name;
        store_claim(tx, &claim)?;
        Ok(claim)
    })
}

/// `POST /v1/tasks/release`: the device gives back a task it holds; anyone may claim it then.
pub fn release(
    store: &dyn HubStore,
    device_id: &str,
    asked: &ClaimRequest,
    now: &str,
) -> HubResult<TaskClaim> {
    let site = device_site(store, device_id)?;
    let task_id = name_field("task_id", &asked.task_id, "a task")?;
    decide(store, &site, |tx| {
        let Some(claim) = current_claim(tx, asked.task_kind, &task_id)? else {
            task_summary(tx, &site, asked.task_kind, &task_id)?;
            return Err(HubError::TaskClaimed(format!(
                "{} task {task_id} is not held by anyone: there is nothing to give back",
                asked.task_kind
            )));
        };
        match (claim.device_id.as_deref(), claim.holder()) {
            (Some(holder), _) if holder == device_id => {}
            (_, Some(holder)) => {
                return Err(HubError::TaskClaimed(format!(
                    "{} task {task_id} is held by {holder}, not by {device_id}: only its holder \
                     or a supervisor can give it back",
                    asked.task_kind
                )));
            }
            (_, None) => {
                return Err(HubError::TaskClaimed(format!(
                    "{} task {task_id} is not held by anyone: there is nothing to give back",
                    asked.task_kind
                )));
            }
        }
        let released = freed(claim, device_id, now);
        store_claim(tx, &released)?;
        Ok(released)
    })
}

/// `POST /v1/admin/tasks/assign`: a supervisor gives a task to a device (and operator), takes it
/// from its holder, or frees it (no device).
pub fn assign(store: &dyn HubStore, asked: &AssignRequest, now: &str) -> HubResult<TaskClaim> {
    let site = crate::store::site_named(
        asked.site.as_deref(),
        &store.sites()?,
        "whose task to assign (\"site\")",
    )?;
    let by = name_field("assigned_by", &asked.assigned_by, "who assigns the task")?;
    let task_id = name_field("task_id", &asked.task_id, "a task")?;
    let device = optional_name(
        "device_id",
        asked.device_id.as_deref(),
        "the device to work the task",
    )?;
    let operator = optional_name(
        "operator_id",
        asked.operator_id.as_deref(),
        "the operator to work the task",
    )?;
    if device.is_none() && operator.is_some() {
        return Err(HubError::BadRequest(format!(
            "operator {} is named without a device: a task is assigned to a device and, on it, \
             an operator",
            short_text(operator.as_deref().unwrap_or_default(), 40)
        )));
    }
    decide(store, &site, |tx| {
        let claim = open_claim(tx, &site, asked.task_kind, &task_id, now)?;
        let Some(device) = &device else {
            let released = freed(claim, &by, now);
            store_claim(tx, &released)?;
            return Ok(released);
        };
        match tx.site_of_device(device)? {
            None => return Err(HubError::UnknownDevice(device.clone())),
            Some(theirs) if theirs != site => {
                return Err(HubError::BadRequest(format!(
                    "device {device} works at site {theirs}, not at {site} where {} task \
                     {task_id} is",
                    asked.task_kind
                )));
            }
            Some(_) => {}
        }
        let operator_name = match &operator {
            Some(id) => known_operator(tx, id)?,
            None => None,
        };
        let assigned = TaskClaim {
            device_id: Some(device.clone()),
            operator_id: operator.clone(),
            operator_name,
            how: ClaimHow::Assigned,
            by: by.clone(),
            at: now.into(),
            ..claim
        };
        store_claim(tx, &assigned)?;
        Ok(assigned)
    })
}

/// `GET /v1/admin/tasks`: the site's pick and count tasks with how far each is and who holds it.
pub fn list(store: &dyn HubStore, site: &str) -> HubResult<Vec<TaskListing>> {
    let mut out = Vec::new();
    store.in_site_tx(site, &mut |tx| {
        let progress: HashMap<(String, String), ProgressRow> = tx
            .all_progress()?
            .into_iter()
            .map(|p| ((p.kind.clone(), p.task_id.clone()), p))
            .collect();
        let mut claims: HashMap<String, TaskClaim> = HashMap::new();
        for (key, data) in tx.all(ChangeKind::TaskClaim.as_str())? {
            claims.insert(key, serde_json::from_str(&data)?);
        }
        for kind in TaskKind::ALL {
            for (task_id, data) in tx.all(kind.change_kind().as_str())? {
                let row = progress.get(&(kind.as_str().to_string(), task_id.clone()));
                out.push(TaskListing {
                    task_kind: *kind,
                    summary: summary(*kind, &data)?,
                    progress: row.map_or(TaskProgress::Open, progress_of),
                    claim: claims.remove(&claim_key(*kind, &task_id)),
                    ordered: row.map_or(0, |r| r.ordered),
                    settled: row.map_or(0, |r| r.settled),
                    task_id,
                });
            }
        }
        Ok(())
    })?;
    Ok(out)
}

/// Runs `decide` in one transaction of `site` and answers what it decided.
fn decide(
    store: &dyn HubStore,
    site: &str,
    mut decide: impl FnMut(&mut dyn IntakeTx) -> HubResult<TaskClaim>,
) -> HubResult<TaskClaim> {
    let mut decided = None;
    store.in_site_tx(site, &mut |tx| {
        decided = Some(decide(tx)?);
        Ok(())
    })?;
    decided.ok_or_else(|| HubError::Storage("a task decision answered nothing".into()))
}

/// The site of a registered device.
fn device_site(store: &dyn HubStore, device_id: &str) -> HubResult<String> {
    store
        .device_site(device_id)?
        .ok_or_else(|| HubError::UnknownDevice(device_id.into()))
}

/// The claim of a task that exists and is not closed (a fresh one when nobody held it yet).
fn open_claim(
    tx: &mut dyn IntakeTx,
    site: &str,
    kind: TaskKind,
    task_id: &str,
    now: &str,
) -> HubResult<TaskClaim> {
    task_summary(tx, site, kind, task_id)?;
    let progress = tx
        .task_progress(kind.as_str(), task_id)?
        .map_or(TaskProgress::Open, |r| progress_of(&r));
    if progress.is_closed() {
        return Err(HubError::TaskClosed(format!(
            "{kind} task {task_id} is {}: it takes no more work",
            match progress {
                TaskProgress::Cancelled => "cancelled",
                _ => "done",
            }
        )));
    }
    Ok(
        current_claim(tx, kind, task_id)?
            .unwrap_or_else(|| unclaimed(kind, task_id, progress, now)),
    )
}

/// The task's summary, or the sentence for a task the site does not have.
fn task_summary(
    tx: &mut dyn IntakeTx,
    site: &str,
    kind: TaskKind,
    task_id: &str,
) -> HubResult<String> {
    match task_row(tx, kind, task_id)? {
        Some(data) => summary(kind, &data),
        None => Err(HubError::NoSuchTask(format!(
            "site {site} has no {kind} task {}: the hub knows the tasks it sends (imported, from \
             the ERP or raised by a conflict), not those a handheld made itself",
            short_text(task_id, 64)
        ))),
    }
}

fn task_row(tx: &mut dyn IntakeTx, kind: TaskKind, task_id: &str) -> HubResult<Option<String>> {
    tx.current(kind.change_kind().as_str(), task_id)
}

/// What a task is, in a few words: its order, or what it counts.
fn summary(kind: TaskKind, data: &str) -> HubResult<String> {
    Ok(match kind {
        TaskKind::Pick => {
            let task: PickTaskRequest = serde_json::from_str(data)?;
            format!("order {} ({} lines)", task.order_ref, task.lines.len())
        }
        TaskKind::Count => {
            let task: CountTaskRequest = serde_json::from_str(data)?;
            match (task.location, task.sku) {
                (Some(location), Some(sku)) => format!("count {sku} at {location}"),
                (Some(location), None) => format!("count {location}"),
                (None, Some(sku)) => format!("count {sku} everywhere"),
                (None, None) => "count".into(),
            }
        }
    })
}

fn current_claim(
    tx: &mut dyn IntakeTx,
    kind: TaskKind,
    task_id: &str,
) -> HubResult<Option<TaskClaim>> {
    match tx.current(ChangeKind::TaskClaim.as_str(), &claim_key(kind, task_id))? {
        Some(data) => Ok(Some(serde_json::from_str(&data)?)),
        None => Ok(None),
    }
}

fn store_claim(tx: &mut dyn IntakeTx, claim: &TaskClaim) -> HubResult<()> {
    tx.upsert(
        ChangeKind::TaskClaim.as_str(),
        &claim.key(),
        &serde_json::to_string(claim)?,
    )
}

fn unclaimed(kind: TaskKind, task_id: &str, progress: TaskProgress, now: &str) -> TaskClaim {
    TaskClaim {
        task_kind: kind,
        task_id: task_id.into(),
        device_id: None,
        operator_id: None,
        operator_name: None,
        how: ClaimHow::Released,
        by: String::new(),
        at: now.into(),
        progress,
        worked_by: Vec::new(),
    }
}

/// `claim` with nobody holding it, on `by`'s word.
fn freed(claim: TaskClaim, by: &str, now: &str) -> TaskClaim {
    TaskClaim {
        device_id: None,
        operator_id: None,
        operator_name: None,
        how: ClaimHow::Released,
        by: by.into(),
        at: now.into(),
        ..claim
    }
}

fn progress_of(row: &ProgressRow) -> TaskProgress {
    TaskProgress::parse(&row.progress).unwrap_or(TaskProgress::InProgress)
}

/// An operator's name, or the sentence for one the hub does not know. A hub that was never given
/// operators (the handhelds have theirs from elsewhere) takes the id as it is, without a name.
fn known_operator(tx: &mut dyn IntakeTx, id: &str) -> HubResult<Option<String>> {
    match operator_name(tx, id)? {
        Some(name) => Ok(Some(name)),
        None if tx.all(ChangeKind::Operator.as_str())?.is_empty() => Ok(None),
        None => Err(HubError::BadRequest(format!(
            "operator {} is not in the hub's master data",
            short_text(id, 40)
        ))),
    }
}

fn operator_name(tx: &mut dyn IntakeTx, id: &str) -> HubResult<Option<String>> {
    match tx.current(ChangeKind::Operator.as_str(), id)? {
        Some(data) => Ok(Some(serde_json::from_str::<Operator>(&data)?.name)),
        None => Ok(None),
    }
}
