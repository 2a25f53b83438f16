//! The exception workflow. The hub raises an exception for a person when it refuses an event
//! (`refused_event`), when the ERP refuses one it accepted (`erp_refused`), when an event takes a
//! bucket below zero (`stock_below_zero`), when two handhelds work one task (`double_worked`), and
//! when a handheld keeps what its operator left while the hub sent something else (`kept_local`).
//! A supervisor resolves one with a note, dismisses it, or retries it once the cause is fixed (a
//! refused event is judged again: the SKU may now be in the catalog; an ERP refusal is posted
//! again). The device whose event it concerns hears of the decision with its next pull: a settled
//! exception leaves its list, an event taken on a retry counts as delivered.
//!
//! An ERP refusal retried is posted again by each connector that refused it, before going on with
//! its feed ([`crate::erp::worker`]); taken, the post replaces the refusal in the connector's books
//! and the exception settles as `retried`; refused again, it stays open with the ERP's new
//! sentence.

use dockhand_protocol::envelope::canonical_json;
use dockhand_protocol::exceptions::{
    DISMISSED, ERP_REFUSED, ExceptionAction, KEPT_LOCAL, KINDS, KeptLocalAnswer, KeptLocalReport,
    MAX_KEPT_LOCAL_NOTES, MAX_KEPT_LOCAL_TEXT, OPEN, REFUSED_EVENT, RESOLVED, RETRIED,
    RaisedException,
};

use crate::erp::{ErpOutcome, ErpPost};
use dockhand_protocol::sync::{ChangeKind, Envelope, EventRejection, EventStatus};

use crate::body::{name_field, short_text};
use crate::error::{HubError, HubResult};
use crate::store::{HubStore, IntakeTx, Settled, erp_columns};

/// The longest note an exception is settled with.
pub const MAX_NOTE: usize = 500;

/// `GET /v1/admin/exceptions/raised`: the site's exceptions, of one kind and state when asked,
/// oldest first.
pub fn list(
    store: &dyn HubStore,
    site: &str,
    kind: Option<&str>,
    state: Option<&str>,
) -> HubResult<Vec<RaisedException>> {
    let states = [OPEN, RESOLVED, DISMISSED, RETRIED];
    for (name, value, allowed) in [("kind", kind, &KINDS[..]), ("state", state, &states[..])] {
        if let Some(v) = value.filter(|v| !allowed.contains(v)) {
            return Err(HubError::BadRequest(format!(
                "{name} {:?} is none of {}",
                short_text(v, 40),
                allowed.join(", ")
            )));
        }
    }
    let mut out = Vec::new();
    store.in_site_tx(site, &mut |tx| {
        out = tx.exceptions(kind.unwrap_or(""), state.unwrap_or(""))?;
        Ok(())
    })?;
    Ok(out)
}

/// `POST /v1/kept-local`: raises a `kept_local` exception for each note a device tells (known by
/// its time and words, so a report sent again raises nothing twice). A note that does not read is
/// answered with a sentence and the others are taken: one bad note never holds back the rest.
pub fn kept_local(
    store: &dyn HubStore,
    device_id: &str,
    report: &KeptLocalReport,
    now: &str,
) -> HubResult<KeptLocalAnswer> {
    if report.notes.len() > MAX_KEPT_LOCAL_NOTES {
        return Err(HubError::BadRequest(format!(
            "the report carries {} notes; send at most {MAX_KEPT_LOCAL_NOTES} at a time",
            report.notes.len()
        )));
    }
    let mut taken = Vec::new();
    let mut refused = Vec::new();
    for (i, note) in report.notes.iter().enumerate() {
        let what = note.what.trim();
        if what.is_empty()
            || what.chars().count() > MAX_KEPT_LOCAL_TEXT
            || what.chars().any(char::is_control)
        {
            refused.push(format!(
                "note {} ({:?}) must say what was kept in 1 to {MAX_KEPT_LOCAL_TEXT} characters \
                 on one line",
                i + 1,
                short_text(what, 40)
            ));
        } else if chrono::DateTime::parse_from_rfc3339(&note.at).is_err() {
            refused.push(format!(
                "note {} has time {:?}, not an RFC 3339 time such as 2026-12-04T06:40:00Z",
                i + 1,
                short_text(&note.at, 40)
            ));
        } else {
            taken.push((note.at.as_str(), what));
        }
    }
    let site = store
        .device_site(device_id)?
        .ok_or_else(|| HubError::UnknownDevice(device_id.into()))?;
    store.in_site_tx(&site, &mut |tx| {
        for (at, what) in &taken {
            tx.raise_exception(&crate::store::NewException {
                kind: KEPT_LOCAL,
                code: KEPT_LOCAL.into(),
                subject: format!("{at} {what}"),
                device_id: device_id.into(),
                event_ids: Vec::new(),
                reason: format!("{device_id} at {at}: {what}"),
                raised_at: now.into(),
            })?;
        }
        Ok(())
    })?;
    Ok(KeptLocalAnswer {
        taken: taken.len(),
        refused,
    })
}

/// Settles an open exception with a note on what was done.
pub fn resolve(
    store: &dyn HubStore,
    id: i64,
    action: &ExceptionAction,
    now: &str,
) -> HubResult<RaisedException> {
    let note = note(action.note.as_deref(), true)?;
    settle(store, id, RESOLVED, note, action, now)
}

/// Settles an open exception as needing nothing (a supervisor's word), with or without a note.
pub fn dismiss(
    store: &dyn HubStore,
    id: i64,
    action: &ExceptionAction,
    now: &str,
) -> HubResult<RaisedException> {
    let note = note(action.note.as_deref(), false)?;
    settle(store, id, DISMISSED, note, action, now)
}

/// Tries the refused event again. Taken, the exception is settled as `retried`; refused again, it
/// stays open with the new reason and the answer says why.
pub fn retry(
    store: &dyn HubStore,
    id: i64,
    action: &ExceptionAction,
    now: &str,
) -> HubResult<RaisedException> {
    let by = name_field("by", &action.by, "who retries it")?;
    let note = note(action.note.as_deref(), false)?;
    let found = open_exception(store, id)?;
    match found.kind.as_str() {
        REFUSED_EVENT => {}
        ERP_REFUSED => return ask_erp_retry(store, &found, &by, now),
        kind => {
            return Err(HubError::ExceptionState {
                code: "nothing_to_retry",
                message: format!(
                    "exception {id} ({kind}) has nothing to retry: the events it names stand; \
                     resolve it with a note once checked"
                ),
            });
        }
    }
    let mut refused_again = None;
    let mut settled = None;
    store.in_site_tx(&found.site, &mut |tx| {
        let envelope = match tx.refused_envelope(&found.subject)? {
            None => {
                return Err(HubError::ExceptionState {
                    code: "nothing_to_retry",
                    message: format!(
                        "event {} is no longer refused at the hub: resolve exception {id} with a \
                         note",
                        found.subject
                    ),
                });
            }
            Some(text) if text.is_empty() => {
                return Err(HubError::ExceptionState {
                    code: "nothing_to_retry",
                    message: format!(
                        "the body of event {} was cleared by housekeeping (the hub keeps the \
                         newest {} refused bodies per device): record it again on {} and resolve \
                         exception {id}",
                        found.subject,
                        crate::store::REJECTED_BODIES_KEPT,
                        found.device_id
                    ),
                });
            }
            Some(text) => text,
        };
        let event: Envelope = serde_json::from_str(&envelope)?;
        let judged = crate::intake::retry_refused(tx, &event, now)?;
        if judged.status == EventStatus::Accepted {
            let how = Settled {
                state: RETRIED,
                note: note.clone(),
                by: by.clone(),
                at: now.into(),
            };
            settled = Some(decide(tx, &found, &how)?);
        } else {
            let reason = judged.reason.unwrap_or_default();
            tx.exception_reason(id, &reason)?;
            refused_again = Some(reason);
        }
        Ok(())
    })?;
    if let Some(reason) = refused_again {
        return Err(HubError::ExceptionState {
            code: "still_refused",
            message: format!(
                "retried event {}: refused again: {}",
                found.subject,
                short_text(&reason, 400)
            ),
        });
    }
    settled.ok_or_else(|| HubError::Storage(format!("exception {id}: the retry answered nothing")))
}

/// Settles exception `found` as `how` in its site's transaction and tells the device; answers
/// the exception as now stored.
pub(crate) fn decide(
    tx: &mut dyn IntakeTx,
    found: &RaisedException,
    how: &Settled,
) -> HubResult<RaisedException> {
    if !tx.settle_exception(found.id, how)? {
        return Err(closed(
            &tx.exception(found.id)?.unwrap_or_else(|| found.clone()),
        ));
    }
    tell_device(tx, found, how)?;
    tx.exception(found.id)?
        .ok_or_else(|| HubError::Storage(format!("exception {} vanished", found.id)))
}

fn settle(
    store: &dyn HubStore,
    id: i64,
    state: &'static str,
    note: Option<String>,
    action: &ExceptionAction,
    now: &str,
) -> HubResult<RaisedException> {
    let by = name_field("by", &action.by, "who settles the exception")?;
    let found = open_exception(store, id)?;
    let how = Settled {
        state,
        note,
        by,
        at: now.into(),
    };
    let mut settled = None;
    store.in_site_tx(&found.site, &mut |tx| {
        settled = Some(decide(tx, &found, &how)?);
        Ok(())
    })?;
    settled.ok_or_else(|| HubError::Storage(format!("exception {id}: settling answered nothing")))
}

/// Exception `id` while open.
pub(crate) fn open_exception(store: &dyn HubStore, id: i64) -> HubResult<RaisedException> {
    let mut found = None;
    store.in_site_tx("", &mut |tx| {
        found = tx.exception(id)?;
        Ok(())
    })?;
    let found =
        found.ok_or_else(|| HubError::NoSuchException(format!("the hub has no exception {id}")))?;
    if found.state != OPEN {
        return Err(closed(&found));
    }
    Ok(found)
}

fn closed(found: &RaisedException) -> HubError {
    HubError::ExceptionState {
        code: "exception_settled",
        message: format!(
            "exception {} is {} already (by {} at {}): it takes no more action",
            found.id,
            found.state,
            found.settled_by.as_deref().unwrap_or("?"),
            found.settled_at.as_deref().unwrap_or("?"),
        ),
    }
}

/// A note: trimmed, at most [`MAX_NOTE`] characters, line breaks the only control characters.
fn note(value: Option<&str>, required: bool) -> HubResult<Option<String>> {
    let text = value.map(str::trim).unwrap_or("");
    if text.is_empty() {
        return if required {
            Err(HubError::BadRequest(
                "a note is required to resolve an exception: say what was done or found".into(),
            ))
        } else {
            Ok(None)
        };
    }
    if text.chars().count() > MAX_NOTE || text.chars().any(|c| c.is_control() && c != '\n') {
        return Err(HubError::BadRequest(format!(
            "note {:?} must be at most {MAX_NOTE} characters with no control characters but line \
             breaks",
            short_text(text, 40)
        )));
    }
    Ok(Some(text.to_string()))
}

/// Tells the device whose event an exception concerns what a person made of it (an
/// `event_rejection` change it applies with its next pull).
fn tell_device(tx: &mut dyn IntakeTx, found: &RaisedException, how: &Settled) -> HubResult<()> {
    if found.kind != REFUSED_EVENT && found.kind != ERP_REFUSED {
        return Ok(());
    }
    let Ok(event_id) = found.subject.parse::<uuid::Uuid>() else {
        return Ok(());
    };
    let Some(stored) = tx.stored_earlier(&event_id)? else {
        return Ok(());
    };
    let row = EventRejection {
        device_id: stored.device_id,
        seq: stored.seq,
        event_id,
        code: found.code.clone(),
        reason: found.reason.clone(),
        settled: Some(how.state.into()),
        note: how.note.clone(),
        settled_by: Some(how.by.clone()),
    };
    tx.upsert(
        ChangeKind::EventRejection.as_str(),
        &event_id.to_string(),
        &canonical_json(&serde_json::to_value(&row)?),
    )
}

/// Queues the retry of exception `found` (an ERP refusal) with every connector that refused its
/// event; answers the exception, still open until a connector takes it.
pub(crate) fn ask_erp_retry(
    store: &dyn HubStore,
    found: &RaisedException,
    by: &str,
    now: &str,
) -> HubResult<RaisedException> {
    let mut queued = 0;
    store.in_site_tx(&found.site, &mut |tx| {
        let posts = tx.failed_posts(&found.subject)?;
        for (erp, feed_seq) in &posts {
            tx.queue_retry(erp, *feed_seq, found.id, by, now)?;
        }
        queued = posts.len();
        Ok(())
    })?;
    if queued == 0 {
        return Err(HubError::ExceptionState {
            code: "nothing_to_retry",
            message: format!(
                "no ERP connector holds event {} as refused any more: resolve exception {} with \
                 a note",
                found.subject, found.id
            ),
        });
    }
    Ok(found.clone())
}

/// Records what connector `erp` made of a retried post, in a transaction of the backend's.
pub fn erp_retried(tx: &mut dyn IntakeTx, erp: &str, post: &ErpPost, now: &str) -> HubResult<()> {
    let Some((exception_id, by)) = tx.retry_of(erp, post.feed_seq)? else {
        return Ok(());
    };
    let (status, documents, code, message) = erp_columns(&post.outcome);
    tx.end_retry(
        erp,
        post.feed_seq,
        (status, &documents, code, message, &post.at),
    )?;
    let Some(found) = tx.exception(exception_id)? else {
        return Ok(());
    };
    tx.scope_to(&found.site);
    match &post.outcome {
        ErpOutcome::Posted { .. } if found.state == OPEN => {
            let how = Settled {
                state: RETRIED,
                note: Some(format!("posted again to {erp}")),
                by,
                at: now.into(),
            };
            // Settled meanwhile by a supervisor: the post stands, the decision too.
            if tx.settle_exception(found.id, &how)? {
                tell_device(tx, &found, &how)?;
            }
        }
        ErpOutcome::Posted { .. } => {}
        ErpOutcome::Failed { message, .. } => tx.exception_reason(exception_id, message)?,
    }
    Ok(())
}
