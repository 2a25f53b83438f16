//! What the hub keeps of its tasks besides their claims (crate::tasks): the devices that recorded
//! work on each, how far each is, and the exceptions a person settles. Rows are those of the
//! transaction's site.

use dockhand_protocol::exceptions::RaisedException;

use crate::error::{HubError, HubResult};

/// A device's first recorded work on a task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskWorker {
    /// The device.
    pub device_id: String,
    /// Its first event of the task.
    pub event_id: String,
    /// That event's seq.
    pub seq: i64,
    /// When the hub accepted it.
    pub at: String,
}

/// How far a task is at the hub.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgressRow {
    /// `pick` or `count`.
    pub kind: String,
    /// The task.
    pub task_id: String,
    /// A [`dockhand_protocol::tasks::TaskProgress`] name.
    pub progress: String,
    /// Base units ordered (pick tasks, once started).
    pub ordered: i64,
    /// Base units picked or short.
    pub settled: i64,
}

/// An exception raised for a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewException {
    /// `double_worked`…
    pub kind: &'static str,
    /// The refusal's code ("" when none).
    pub code: String,
    /// What it is about (a claim key).
    pub subject: String,
    /// The device whose event raised it.
    pub device_id: String,
    /// The events it concerns.
    pub event_ids: Vec<String>,
    /// The sentence.
    pub reason: String,
    /// When.
    pub raised_at: String,
}

/// How a person settled an exception.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settled {
    /// `resolved`, `dismissed` or `retried`.
    pub state: &'static str,
    /// Their note.
    pub note: Option<String>,
    /// Who.
    pub by: String,
    /// When.
    pub at: String,
}

/// The task rows a transaction scoped to a site reads and writes.
pub trait TaskTx {
    /// The devices that recorded work on a task, first first.
    fn task_workers(&mut self, kind: &str, task_id: &str) -> HubResult<Vec<TaskWorker>>;
    /// Records a device's first work on a task.
    fn add_task_worker(&mut self, kind: &str, task_id: &str, worker: &TaskWorker) -> HubResult<()>;
    /// How far a task is, if the hub has seen work on it.
    fn task_progress(&mut self, kind: &str, task_id: &str) -> HubResult<Option<ProgressRow>>;
    /// Stores how far a task is.
    fn set_task_progress(&mut self, row: &ProgressRow) -> HubResult<()>;
    /// Every task of the site with work recorded.
    fn all_progress(&mut self) -> HubResult<Vec<ProgressRow>>;
    /// Raises an exception (once per kind, subject and device: raising it again changes nothing).
    fn raise_exception(&mut self, e: &NewException) -> HubResult<()>;
    /// The site's exceptions of `kind` and `state` ("": any), oldest first.
    fn exceptions(&mut self, kind: &str, state: &str) -> HubResult<Vec<RaisedException>>;
    /// Exception `id`, of any site.
    fn exception(&mut self, id: i64) -> HubResult<Option<RaisedException>>;
    /// Settles an open exception of the site; `false` when it was not open.
    fn settle_exception(&mut self, id: i64, how: &Settled) -> HubResult<bool>;
    /// Gives an exception of the site a new reason (a retry failed again).
    fn exception_reason(&mut self, id: i64, reason: &str) -> HubResult<()>;
    /// The envelope of an event the hub refused: `Some("")` once housekeeping cleared its body,
    /// `None` when the hub holds no refused event of that id.
    fn refused_envelope(&mut self, event_id: &str) -> HubResult<Option<String>>;
    /// The ERP connectors that refused an event, with its feed position there.
    fn failed_posts(&mut self, event_id: &str) -> HubResult<Vec<(String, i64)>>;
    /// Asks connector `erp` to post feed position `feed_seq` again for exception `exception_id`
    /// (asked once: asking again changes nothing).
    fn queue_retry(
        &mut self,
        erp: &str,
        feed_seq: i64,
        exception_id: i64,
        by: &str,
        at: &str,
    ) -> HubResult<()>;
    /// The exception and the person a queued retry is for.
    fn retry_of(&mut self, erp: &str, feed_seq: i64) -> HubResult<Option<(i64, String)>>;
    /// Records a retried post's outcome (status, documents, code, message, at) in place of the
    /// refusal, and ends the retry.
    fn end_retry(
        &mut self,
        erp: &str,
        feed_seq: i64,
        outcome: (&str, &str, Option<&str>, Option<&str>, &str),
    ) -> HubResult<()>;
    /// The site a device is registered for, if the hub knows the device.
    fn site_of_device(&mut self, device_id: &str) -> HubResult<Option<String>>;
}

/// The statements, one text for both backends.
pub mod task_sql {
    /// $1 site, $2 kind, $3 task.
    pub const WORKERS: &str = "SELECT device_id, event_id, seq, at FROM task_work
        WHERE site = $1 AND kind = $2 AND task_id = $3 ORDER BY at, seq";
    /// $1 site, $2 kind, $3 task, $4 device, $5 event, $6 seq, $7 at.
    pub const ADD_WORKER: &str = "INSERT INTO task_work
        (site, kind, task_id, device_id, event_id, seq, at) VALUES ($1, $2, $3, $4, $5, $6, $7)
        ON CONFLICT (site, kind, task_id, device_id) DO NOTHING";
    /// $1 site, $2 kind, $3 task.
    pub const PROGRESS: &str = "SELECT kind, task_id, progress, ordered, settled FROM task_progress
        WHERE site = $1 AND kind = $2 AND task_id = $3";
    /// $1 site, $2 kind, $3 task, $4 progress, $5 ordered, $6 settled.
    pub const SET_PROGRESS: &str = "INSERT INTO task_progress
        (site, kind, task_id, progress, ordered, settled) VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (site, kind, task_id) DO UPDATE SET progress = excluded.progress,
        ordered = excluded.ordered, settled = excluded.settled";
    /// $1 site.
    pub const ALL_PROGRESS: &str = "SELECT kind, task_id, progress, ordered, settled
        FROM task_progress WHERE site = $1 ORDER BY kind, task_id";
    /// $1 site, $2 kind, $3 code, $4 subject, $5 device, $6 event ids, $7 reason, $8 raised at.
    pub const RAISE: &str = "INSERT INTO exceptions
        (site, kind, code, subject, device_id, event_ids, reason, raised_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        ON CONFLICT (site, kind, subject, device_id) DO NOTHING";
    /// The columns of an exception, in [`super::exception_row`]'s order.
    macro_rules! columns {
        () => {
            "SELECT id, site, kind, code, subject, device_id, event_ids, reason, raised_at, state,
             note, settled_by, settled_at FROM exceptions"
        };
    }
    /// $1 site, $2 kind ('': any), $3 state ('': any).
    pub const EXCEPTIONS: &str = concat!(
        columns!(),
        " WHERE site = $1 AND ($2 = '' OR kind = $2) AND ($3 = '' OR state = $3) ORDER BY id"
    );
    /// Exception $1, whatever its site.
    pub const EXCEPTION: &str = concat!(columns!(), " WHERE id = $1");
    /// Settles exception $5 of site $6 while open: $1 state, $2 note, $3 by, $4 at.
    pub const SETTLE: &str = "UPDATE exceptions SET state = $1, note = $2, settled_by = $3,
        settled_at = $4 WHERE id = $5 AND site = $6 AND state = 'open'";
    /// The envelope of refused event $1.
    pub const REFUSED_ENVELOPE: &str =
        "SELECT envelope FROM events WHERE event_id = $1 AND status = 'rejected'";
    /// The connectors that refused event $1, with its feed position.
    pub const FAILED_POSTS: &str = "SELECT erp, feed_seq FROM erp_posts
        WHERE event_id = $1 AND status = 'failed' ORDER BY erp";
    /// $1 erp, $2 feed position, $3 exception, $4 by, $5 at.
    pub const QUEUE_RETRY: &str = "INSERT INTO erp_retries
        (erp, feed_seq, exception_id, asked_by, asked_at) VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (erp, feed_seq) DO NOTHING";
    /// The retries queued for connector $1, in feed order.
    pub const RETRIES: &str = "SELECT feed_seq FROM erp_retries WHERE erp = $1 ORDER BY feed_seq";
    /// The exception and person of the retry of $1's feed position $2.
    pub const RETRY_OF: &str =
        "SELECT exception_id, asked_by FROM erp_retries WHERE erp = $1 AND feed_seq = $2";
    /// Ends the retry of $1's feed position $2.
    pub const END_RETRY: &str = "DELETE FROM erp_retries WHERE erp = $1 AND feed_seq = $2";
    /// A retried post's outcome: $1 status, $2 documents, $3 code, $4 message, $5 at, for $6's feed
    /// position $7.
    pub const REPOST: &str = "UPDATE erp_posts SET status = $1, documents = $2, code = $3,
        message = $4, at = $5 WHERE erp = $6 AND feed_seq = $7";
    /// A retry that failed again: open exception $2 of site $3 gets reason $1.
    pub const REASON: &str =
        "UPDATE exceptions SET reason = $1 WHERE id = $2 AND site = $3 AND state = 'open'";
}

/// The columns of [`task_sql::EXCEPTIONS`] as read.
pub type ExceptionColumns = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// An exception from a row of [`task_sql::EXCEPTIONS`]' columns (the events as stored JSON).
pub fn exception_row(row: ExceptionColumns) -> HubResult<RaisedException> {
    let (id, site, kind, code, subject, device_id, events, reason, raised_at, state, note, by, at) =
        row;
    Ok(RaisedException {
        code,
        event_ids: serde_json::from_str(&events)
            .map_err(|e| HubError::Storage(format!("exception {id}: events {e}")))?,
        id,
        site,
        kind,
        subject,
        device_id,
        reason,
        raised_at,
        state,
        note,
        settled_by: by,
        settled_at: at,
    })
}
