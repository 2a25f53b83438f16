//! The hub's HTTP endpoints, in process: mutated requests (method, path, query and JSON body)
//! with a valid device token, the admin token, a wrong token or none. The hub must answer every
//! one without a panic and without a 500, and every error as Problem JSON.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, header};
use dockhand_core::sync::protocol::{EventBatch, Import, KeyEnrolment, Registration};
use dockhand_core::workload::Workload;
use dockhand_core::{Error, Store, StoreOptions, outbox, sample};
use dockhand_hub::auth::issue_token;
use dockhand_hub::store::GrantMode;
use dockhand_hub::{AppState, HubConfig, HubStore};
use rand::Rng;
use tower_service::Service;

use super::Target;
use super::mutate::Mutator;

const ADMIN: &str = "fuzz-admin-token-0123456789";
const SECRET: &str = "fuzz-registration-secret";

pub struct Router {
    inputs: Mutator,
    router: axum::Router,
    runtime: tokio::runtime::Runtime,
    device_token: String,
    last: String,
    /// Answers by status class: 2xx, 4xx, 5xx.
    answers: [u64; 3],
    _dir: tempfile::TempDir,
}

fn fuzz_error(what: &str, e: impl std::fmt::Display) -> Error {
    Error::invalid("fuzz", format!("{what}: {e}"))
}

impl Router {
    pub fn new(seed: u64) -> Result<Self, Error> {
        let dir = tempfile::tempdir().map_err(|e| fuzz_error("temporary directory", e))?;
        let store: Arc<dyn HubStore> = Arc::new(
            dockhand_hub::sqlite::SqliteStore::open(dir.path().join("hub.db"))
                .map_err(|e| fuzz_error("hub store", e))?,
        );
        let device = Store::open_in_memory(StoreOptions::new("FUZZ-HUB-1"))?;
        Workload::seed_store(&device)?;
        let mut work = Workload::new(seed);
        for _ in 0..20 {
            work.step(&device)?;
        }
        let token = issue_token(
            store.as_ref(),
            "FUZZ-HUB-1",
            "fuzz",
            std::time::Duration::from_secs(3600),
            GrantMode::New,
            device.public_key().as_deref(),
            None,
        )
        .map_err(|e| fuzz_error("token", e))?;
        let config = HubConfig {
            development: false,
            admin_token: Some(ADMIN.into()),
            registration_secret: Some(SECRET.into()),
            // The throttles have their own tests; here they would answer most requests 429.
            auth_failures_per_minute: u32::MAX,
            registrations_per_minute: u32::MAX,
            ..HubConfig::default()
        };
        let router = dockhand_hub::router(AppState::new(store, config));
        let events = device.read(|c| outbox::pending(c, 5))?;
        let json = |v: &dyn erased::Json| v.text();
        let batch = EventBatch {
            device_id: "FUZZ-HUB-1".into(),
            events: events.into_iter().map(|e| e.envelope).collect(),
        };
        let import = Import {
            master: sample::warehouse(),
            expected_receipts: vec![sample::asn()],
            ..Import::default()
        };
        let registration = Registration {
            device_id: "FUZZ-NEW".into(),
            name: "new".into(),
            registration_secret: Some(SECRET.into()),
            public_key: device.public_key(),
            site: None,
        };
        let key = KeyEnrolment {
            public_key: device.public_key().unwrap_or_default(),
        };
        let seeds = vec![
            format!("POST /v1/events\n{}", json(&batch)),
            format!("POST /v1/devices/register\n{}", json(&registration)),
            format!("POST /v1/devices/key\n{}", json(&key)),
            format!("POST /v1/admin/import\n{}", json(&import)),
            "GET /v1/changes?cursor=c0&limit=100\n".into(),
            "GET /v1/feed/events?cursor=e0&limit=10\n".into(),
            "GET /v1/admin/stock\n".into(),
            "GET /v1/admin/exceptions\n".into(),
            "GET /v1/admin/devices\n".into(),
            "POST /v1/admin/devices/FUZZ-OTHER/token\n{\"replace\":true}".into(),
            "POST /v1/admin/devices/FUZZ-OTHER/revoke\n{}".into(),
            "POST /v1/admin/devices/FUZZ-OTHER/accept-fork\n{}".into(),
            "GET /health\n".into(),
        ];
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .map_err(|e| fuzz_error("runtime", e))?;
        Ok(Self {
            inputs: Mutator::new(seed.wrapping_add(7), seeds).at_most(2),
            router,
            runtime,
            device_token: token.token,
            last: String::new(),
            answers: [0; 3],
            _dir: dir,
        })
    }
}

/// Serialising the seeds without a generic closure per type.
mod erased {
    pub trait Json {
        fn text(&self) -> String;
    }
    impl<T: serde::Serialize> Json for T {
        fn text(&self) -> String {
            serde_json::to_string(self).unwrap_or_default()
        }
    }
}

impl Target for Router {
    fn name(&self) -> &'static str {
        "hub"
    }
    fn share(&self) -> u64 {
        30
    }
    fn last_input(&self) -> &str {
        &self.last
    }
    fn detail(&self) -> String {
        let [ok, refused, failed] = self.answers;
        format!(" ({ok} answered 2xx, {refused} 4xx, {failed} 5xx)")
    }
    fn once(&mut self) -> Result<(), String> {
        self.last = self.inputs.next();
        let (head, body) = self.last.split_once('\n').unwrap_or((&self.last, ""));
        let (method, path) = head.split_once(' ').unwrap_or(("GET", head));
        let auth = match self.inputs.rng().random_range(0..4) {
            0 => Some(format!("Bearer {}", self.device_token)),
            1 => Some(format!("Bearer {ADMIN}")),
            2 => Some("Bearer wrong-token".to_string()),
            _ => None,
        };
        let mut request = Request::builder().method(method).uri(path);
        if let Some(auth) = auth {
            request = request.header(header::AUTHORIZATION, auth);
        }
        if !body.is_empty() {
            request = request.header(header::CONTENT_TYPE, "application/json");
        }
        // What hyper itself would refuse (a bad method or URI) never reaches the router.
        let Ok(request) = request.body(Body::from(body.to_string())) else {
            return Ok(());
        };
        let mut router = self.router.clone();
        let response = self
            .runtime
            .block_on(router.call(request))
            .map_err(|e| format!("router error: {e}"))?;
        let status = response.status();
        match status.as_u16() {
            200..=299 => self.answers[0] += 1,
            400..=499 => self.answers[1] += 1,
            _ => self.answers[2] += 1,
        }
        if status.is_server_error() && status.as_u16() != 503 {
            return Err(format!("{status} for {method} {}", super::prefix(path)));
        }
        if status.is_client_error() || status.is_server_error() {
            let problem = response
                .headers()
                .get(header::CONTENT_TYPE)
                .is_some_and(|v| v.as_bytes() == b"application/problem+json");
            if !problem {
                return Err(format!("{status} without Problem JSON"));
            }
        }
        Ok(())
    }
}
