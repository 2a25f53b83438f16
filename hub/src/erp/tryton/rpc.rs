//! Tryton's JSON-RPC over HTTP (docs/erp.md, scripts/TRYTON-NOTES.md): session login, the
//! user's context (company) appended to every call, one re-login after a 401, and errors sorted
//! into what a retry fixes (network, 5xx, session) and what a person must (UserError,
//! UserWarning).

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use base64::Engine;
use serde_json::{Value, json};

/// Where Tryton is and who the connector signs in as.
#[derive(Clone, PartialEq, Eq)]
pub struct TrytonConfig {
    /// `http://host:port`.
    pub base_url: String,
    /// Database name.
    pub database: String,
    /// User.
    pub user: String,
    /// Password (from the environment or a file, never the command line).
    pub password: String,
    /// Time allowed for one call.
    pub timeout: Duration,
    /// The hub site this Tryton warehouse is (`?site=` in the address; none: `main`).
    pub site: String,
}

impl std::fmt::Debug for TrytonConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "tryton://{}@{}/{}",
            self.user,
            self.base_url.trim_start_matches("http://"),
            self.database
        )?;
        if self.site != crate::store::FIRST_SITE {
            write!(f, "?site={}", self.site)?;
        }
        Ok(())
    }
}

impl TrytonConfig {
    /// Reads `tryton://user@host:port/database[?site=SITE]` (the password comes separately).
    pub fn parse(uri: &str, password: String) -> Result<Self, String> {
        let bad = |why: &str| {
            format!(
                "ERP address {uri:?} {why}; expected tryton://user@host:port/database[?site=SITE]"
            )
        };
        let rest = uri
            .strip_prefix("tryton://")
            .ok_or_else(|| bad("does not start with tryton://"))?;
        let (rest, site) = match rest.split_once('?') {
            None => (rest, crate::store::FIRST_SITE.to_string()),
            Some((rest, query)) => match query.strip_prefix("site=") {
                Some(site) if crate::store::check_site_id(site).is_ok() => (rest, site.to_string()),
                _ => return Err(bad("has a query other than ?site= with a site id")),
            },
        };
        let (user, rest) = rest.split_once('@').ok_or_else(|| bad("names no user"))?;
        let (host, database) = rest
            .split_once('/')
            .ok_or_else(|| bad("names no database"))?;
        let database = database.trim_end_matches('/');
        if user.is_empty() || host.is_empty() || database.is_empty() {
            return Err(bad("has an empty part"));
        }
        if password.is_empty() {
            return Err(format!(
                "no password for ERP user {user}: set DOCKHAND_ERP_PASSWORD or --erp-password-file"
            ));
        }
        Ok(Self {
            base_url: format!("http://{host}"),
            database: database.to_string(),
            user: user.to_string(),
            password,
            timeout: Duration::from_secs(30),
            site,
        })
    }
}

/// Why a call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RpcError {
    /// No answer, a 5xx, a cut-off body, or a session that could not be renewed: retry later.
    #[error("Tryton cannot be reached: {0}")]
    Transient(String),
    /// Tryton refused the change (`UserError`): a person must look at it.
    #[error("Tryton refused: {message}{}", if description.is_empty() { String::new() } else { format!(" ({description})") })]
    User {
        /// Tryton's message.
        message: String,
        /// Its description, when it gave one.
        description: String,
    },
    /// Tryton asks for a confirmation (`UserWarning`) named `name`.
    #[error("Tryton warns ({name}): {message}")]
    Warning {
        /// The warning's key (acknowledged by creating `res.user.warning` with this name).
        name: String,
        /// Its message.
        message: String,
    },
    /// The call itself is wrong (unknown method, bad arguments, refused login): not retried.
    #[error("Tryton call failed: {0}")]
    Protocol(String),
}

impl RpcError {
    /// Whether retrying later may fix it.
    pub fn is_transient(&self) -> bool {
        matches!(self, RpcError::Transient(_))
    }
}

struct Session {
    header: String,
    context: Value,
    uid: i64,
}

/// A signed-in JSON-RPC client.
pub struct Rpc {
    config: TrytonConfig,
    http: reqwest::Client,
    session: Mutex<Option<Session>>,
    next_id: AtomicU64,
}

impl Rpc {
    /// A client; it signs in on the first call.
    pub fn new(config: TrytonConfig) -> Result<Self, RpcError> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .build()
            .map_err(|e| RpcError::Protocol(e.to_string()))?;
        Ok(Self {
            config,
            http,
            session: Mutex::new(None),
            next_id: AtomicU64::new(1),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &TrytonConfig {
        &self.config
    }

    /// `model.<model>.<method>` with positional `args`; the context goes last.
    pub async fn model(
        &self,
        model: &str,
        method: &str,
        args: Vec<Value>,
    ) -> Result<Value, RpcError> {
        self.call(&format!("model.{model}.{method}"), args).await
    }

    /// Calls `method` with `args` and the session's context; signs in (again) when needed.
    pub async fn call(&self, method: &str, args: Vec<Value>) -> Result<Value, RpcError> {
        let mut renewed = false;
        loop {
            let (header, context) = match self.current() {
                Some(s) => s,
                None => {
                    self.login().await?;
                    renewed = true;
                    self.current().ok_or_else(|| {
                        RpcError::Transient("no Tryton session after login".into())
                    })?
                }
            };
            let mut params = args.clone();
            params.push(context);
            match self.post(method, params, Some(&header)).await {
                Err(RpcError::Transient(why)) if why.starts_with("401") && !renewed => {
                    // The session expired (or Tryton restarted): sign in once more.
                    self.forget();
                    renewed = true;
                    self.login().await?;
                }
                other => return other,
            }
        }
    }

    /// The signed-in user's id (after the first call).
    pub fn user_id(&self) -> Option<i64> {
        self.session.lock().ok()?.as_ref().map(|s| s.uid)
    }

    fn current(&self) -> Option<(String, Value)> {
        let s = self.session.lock().ok()?;
        s.as_ref().map(|s| (s.header.clone(), s.context.clone()))
    }

    fn forget(&self) {
        if let Ok(mut s) = self.session.lock() {
            *s = None;
        }
    }

    async fn login(&self) -> Result<(), RpcError> {
        let c = &self.config;
        let answer = self
            .post(
                "common.db.login",
                vec![json!(c.user), json!({ "password": c.password })],
                None,
            )
            .await
            .map_err(|e| match e {
                RpcError::User { message, .. } => {
                    RpcError::Protocol(format!("login as {} refused: {message}", c.user))
                }
                other => other,
            })?;
        let uid = answer.get(0).and_then(Value::as_i64);
        let token = answer.get(1).and_then(Value::as_str);
        let (Some(uid), Some(token)) = (uid, token) else {
            return Err(RpcError::Protocol(format!(
                "login as {} refused: {answer}",
                c.user
            )));
        };
        let raw = format!("{}:{uid}:{token}", c.user);
        let header = format!(
            "Session {}",
            base64::engine::general_purpose::STANDARD.encode(raw)
        );
        let context = self
            .post(
                "model.res.user.get_preferences",
                vec![json!(true), json!({})],
                Some(&header),
            )
            .await?;
        if let Ok(mut s) = self.session.lock() {
            *s = Some(Session {
                header,
                context,
                uid,
            });
        }
        Ok(())
    }

    async fn post(
        &self,
        method: &str,
        params: Vec<Value>,
        auth: Option<&str>,
    ) -> Result<Value, RpcError> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let started = std::time::Instant::now();
        let answer = self.send(id, method, params, auth).await;
        tracing::debug!(
            method,
            id,
            ms = started.elapsed().as_secs_f64() * 1e3,
            ok = answer.is_ok(),
            "Tryton call"
        );
        answer
    }

    async fn send(
        &self,
        id: u64,
        method: &str,
        params: Vec<Value>,
        auth: Option<&str>,
    ) -> Result<Value, RpcError> {
        let url = format!("{}/{}/rpc/", self.config.base_url, self.config.database);
        let mut request = self
            .http
            .post(&url)
            .json(&json!({ "id": id, "method": method, "params": params }));
        if let Some(auth) = auth {
            request = request.header("Authorization", auth);
        }
        let response = request
            .send()
            .await
            .map_err(|e| RpcError::Transient(format!("{url}: {e}")))?;
        let status = response.status();
        if status.as_u16() == 401 {
            return Err(RpcError::Transient(format!("401 session refused by {url}")));
        }
        if status.is_server_error() || status.as_u16() == 429 {
            return Err(RpcError::Transient(format!(
                "{status} from {url} for {method}"
            )));
        }
        let body = response
            .text()
            .await
            .map_err(|e| RpcError::Transient(format!("{url}: {e}")))?;
        if !status.is_success() {
            return Err(RpcError::Protocol(format!(
                "{status} for {method}: {}",
                body.chars().take(200).collect::<String>()
            )));
        }
        let answer: Value = serde_json::from_str(&body)
            .map_err(|e| RpcError::Transient(format!("unreadable answer to {method}: {e}")))?;
        if let Some(error) = answer.get("error").filter(|e| !e.is_null()) {
            return Err(classify(error));
        }
        Ok(answer.get("result").cloned().unwrap_or(Value::Null))
    }
}

/// `["UserError", [message, description, …]]`, `["UserWarning", [name, message, …]]`, or
/// anything else Tryton reports.
fn classify(error: &Value) -> RpcError {
    let kind = error.get(0).and_then(Value::as_str).unwrap_or_default();
    let args = error.get(1).cloned().unwrap_or(Value::Null);
    let text = |i: usize| {
        args.get(i)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    match kind {
        "UserError" => RpcError::User {
            message: text(0),
            description: text(1),
        },
        "UserWarning" => RpcError::Warning {
            name: text(0),
            message: text(1),
        },
        "ConcurrencyException" => RpcError::Transient(format!("concurrent change: {error}")),
        _ => RpcError::Protocol(error.to_string()),
    }
}

/// A date as Tryton's JSON encodes it.
pub fn date(d: chrono::NaiveDate) -> Value {
    use chrono::Datelike;
    json!({ "__class__": "date", "year": d.year(), "month": d.month(), "day": d.day() })
}

/// A date Tryton's JSON encodes as `{"__class__": "date", "year": …, "month": …, "day": …}`.
pub fn date_of(v: &Value) -> Option<chrono::NaiveDate> {
    let part = |name: &str| v.get(name).and_then(Value::as_i64);
    chrono::NaiveDate::from_ymd_opt(
        i32::try_from(part("year")?).ok()?,
        u32::try_from(part("month")?).ok()?,
        u32::try_from(part("day")?).ok()?,
    )
}

/// A number Tryton may send as `{"__class__": "Decimal", "decimal": "96"}` or plain.
pub fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::Object(o) => o
            .get("decimal")
            .and_then(Value::as_str)
            .and_then(|s| s.parse().ok()),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_address_names_user_host_and_database() {
        let c = TrytonConfig::parse("tryton://admin@127.0.0.1:8000/wms", "pw".into())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (c.base_url.as_str(), c.database.as_str(), c.user.as_str()),
            ("http://127.0.0.1:8000", "wms", "admin")
        );
        for (uri, why) in [
            ("http://admin@h:1/wms", "does not start with tryton://"),
            ("tryton://h:1/wms", "names no user"),
            ("tryton://admin@h:1", "names no database"),
            ("tryton://admin@h:1/wms?site=", "a query other than ?site="),
            (
                "tryton://admin@h:1/wms?warehouse=2",
                "a query other than ?site=",
            ),
        ] {
            let e = TrytonConfig::parse(uri, "pw".into()).unwrap_err();
            assert!(e.contains(why) && e.contains(uri), "{e}");
        }
        assert!(
            TrytonConfig::parse("tryton://a@h:1/d", String::new())
                .unwrap_err()
                .contains("DOCKHAND_ERP_PASSWORD")
        );
        assert!(!format!("{c:?}").contains("pw"), "the password never shows");
        assert_eq!(c.site, "main");
        let north = TrytonConfig::parse("tryton://admin@h:1/wms?site=north", "pw".into()).unwrap();
        assert_eq!(
            (north.database.as_str(), north.site.as_str()),
            ("wms", "north")
        );
        assert_eq!(format!("{north:?}"), "tryton://admin@h:1/wms?site=north");
    }

    #[test]
    fn tryton_errors_are_sorted_by_what_fixes_them() {
        let user = classify(&json!([
            "UserError",
            ["The EAN \"123\" is not valid.", "", null]
        ]));
        assert_eq!(
            user.to_string(),
            "Tryton refused: The EAN \"123\" is not valid."
        );
        assert!(!user.is_transient());
        let warning = classify(&json!([
            "UserWarning",
            ["stock.move.no_origin", "Moves without origin", ""]
        ]));
        assert_eq!(
            warning,
            RpcError::Warning {
                name: "stock.move.no_origin".into(),
                message: "Moves without origin".into()
            }
        );
        assert!(classify(&json!(["ConcurrencyException", ["x"]])).is_transient());
        assert_eq!(
            number(&json!({"__class__": "Decimal", "decimal": "96"})),
            Some(96.0)
        );
        assert_eq!(number(&json!(2.5)), Some(2.5));
    }
}
