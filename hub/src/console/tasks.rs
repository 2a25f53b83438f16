//! Tasks: the site's pick and count tasks with how far each is and who holds it; a supervisor
//! assigns one to a device (and operator), reassigns it, or frees it for anyone to claim.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use dockhand_protocol::tasks::{AssignRequest, TaskKind, TaskListing, TaskProgress};

use super::live::frame;
use super::page::{Chrome, ConsoleError, clock, page as render, urlencode};
use super::session::{Signed, back, recorded};
use super::{FormOf, QueryOf};
use crate::api::{AppState, blocking};
use crate::body::short_text;

/// A task's row.
#[derive(Debug, Clone)]
pub struct TaskRow {
    /// pick or count.
    pub kind: String,
    /// The task.
    pub id: String,
    /// What it is.
    pub summary: String,
    /// open, in_progress, done, cancelled.
    pub progress: String,
    /// `12 of 20 units` for a started pick.
    pub amount: String,
    /// Who holds it, in words (`handheld-09 (bob)`), empty when nobody.
    pub holder: String,
    /// How: claimed, assigned, started.
    pub how: String,
    /// Who decided and when.
    pub since: String,
    /// Devices that worked it, when two or more did.
    pub worked_twice: String,
    /// The holder's device, for the form's default.
    pub device: String,
    /// Whether it can still be assigned.
    pub open: bool,
}

fn row(t: &TaskListing) -> TaskRow {
    let claim = t.claim.as_ref();
    TaskRow {
        kind: t.task_kind.to_string(),
        id: t.task_id.clone(),
        summary: t.summary.clone(),
        progress: t.progress.to_string(),
        amount: if t.ordered > 0 {
            format!("{} of {} units", t.settled, t.ordered)
        } else {
            String::new()
        },
        holder: claim.and_then(|c| c.holder()).unwrap_or_default(),
        how: claim
            .filter(|c| c.device_id.is_some())
            .map(|c| c.how.to_string())
            .unwrap_or_default(),
        since: claim
            .map(|c| format!("{} by {}", clock(&c.at), c.by))
            .unwrap_or_default(),
        worked_twice: claim
            .filter(|c| c.worked_by.len() > 1)
            .map(|c| c.worked_by.join(", "))
            .unwrap_or_default(),
        device: claim.and_then(|c| c.device_id.clone()).unwrap_or_default(),
        open: !matches!(t.progress, TaskProgress::Done | TaskProgress::Cancelled),
    }
}

/// The filters.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub(super) struct Filter {
    site: Option<String>,
    kind: Option<String>,
    /// `open` (open and in progress, the default), `done`, or `all`.
    show: Option<String>,
    done: Option<String>,
    task: Option<String>,
}

#[derive(askama::Template)]
#[template(path = "console/tasks.html")]
struct TasksPage {
    chrome: Chrome,
    rows: Vec<TaskRow>,
    kind: String,
    show: String,
    devices: Vec<String>,
}

/// `GET /console/tasks`.
pub(super) async fn page(
    State(state): State<AppState>,
    signed: Signed,
    QueryOf(f): QueryOf<Filter>,
) -> Result<Response, ConsoleError> {
    let offline_after = state.config.offline_after;
    let asked = f.site.clone();
    let (mut chrome, devices, tasks) = blocking(&state, move |s| {
        let (chrome, devices) = frame(s, &signed, "Tasks", asked.as_deref(), offline_after)?;
        let tasks = crate::tasks::list(s, &chrome.site)?;
        Ok((chrome, devices, tasks))
    })
    .await?;
    let kind = f.kind.clone().unwrap_or_default();
    let show = f.show.clone().unwrap_or_else(|| "open".into());
    if let (Some(done), Some(task)) = (f.done.as_deref(), f.task.as_deref())
        && tasks.iter().any(|t| t.task_id == task)
    {
        chrome.done = match done {
            "assigned" | "freed" => Some(format!("Task {} {done}.", short_text(task, 64))),
            _ => None,
        };
    }
    let rows = tasks
        .iter()
        .filter(|t| kind.is_empty() || t.task_kind.to_string() == kind)
        .map(row)
        .filter(|r| match show.as_str() {
            "done" => !r.open,
            "all" => true,
            _ => r.open,
        })
        .collect();
    render(&TasksPage {
        chrome,
        rows,
        kind,
        show,
        devices: devices
            .into_iter()
            .filter(|d| d.revoked_at.is_none())
            .map(|d| d.device_id)
            .collect(),
    })
}

/// The assign form.
#[derive(Debug, serde::Deserialize)]
pub(super) struct AssignForm {
    csrf: Option<String>,
    site: Option<String>,
    task_kind: Option<String>,
    task_id: Option<String>,
    /// Empty: free the task for anyone to claim.
    device_id: Option<String>,
    operator_id: Option<String>,
    /// Set by the Free button: take the task from its holder, whatever the device field says.
    free: Option<String>,
}

/// `POST /console/tasks/assign`: gives a task to a device (and operator), or frees it.
pub(super) async fn assign(
    State(state): State<AppState>,
    signed: Signed,
    FormOf(f): FormOf<AssignForm>,
) -> Result<Response, ConsoleError> {
    let task_id = f.task_id.clone().unwrap_or_default();
    let target = format!(
        "{} task {}",
        f.task_kind.as_deref().unwrap_or(""),
        short_text(&task_id, 64)
    );
    signed
        .check_form(&state, f.csrf.as_deref(), "assign", &target)
        .await?;
    signed
        .supervisor(&state, "assign a task", "assign", &target)
        .await?;
    let task_kind = TaskKind::parse(f.task_kind.as_deref().unwrap_or("")).ok_or_else(|| {
        ConsoleError::page(
            StatusCode::BAD_REQUEST,
            format!(
                "task kind {:?} is neither pick nor count",
                short_text(f.task_kind.as_deref().unwrap_or(""), 20)
            ),
        )
    })?;
    let nonempty = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    let asked = AssignRequest {
        site: nonempty(f.site.clone()),
        task_kind,
        task_id: task_id.clone(),
        device_id: nonempty(f.device_id.clone()).filter(|_| f.free.is_none()),
        operator_id: nonempty(f.operator_id.clone()).filter(|_| f.free.is_none()),
        assigned_by: signed.user.clone(),
    };
    let note = match (&asked.device_id, &asked.operator_id) {
        (Some(d), Some(o)) => format!("to {d} ({o})"),
        (Some(d), None) => format!("to {d}"),
        _ => "freed".to_string(),
    };
    let freed = asked.device_id.is_none();
    let outcome = blocking(&state, move |s| {
        crate::tasks::assign(s, &asked, &crate::now_text())
    })
    .await;
    recorded(&state, &signed, ("assign", &target, &note), outcome).await?;
    Ok(back(
        format!(
            "/console/tasks?done={}&task={}",
            if freed { "freed" } else { "assigned" },
            urlencode(&task_id)
        ),
        f.site,
    ))
}
