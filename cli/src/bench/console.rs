//! The supervisor's console at scale (issue 15): the time each page takes, asked over loopback
//! with a signed-in session, on a hub holding many events, a large site stock and a fleet of
//! devices; against the hub's `/health` in the same run; and the bytes of the floor page.
//!
//! The events are written as accepted rows without intake (the drain benchmark measures intake):
//! one handheld's workload, copied for every device. The pages read the stock, the devices, the
//! events and the site's measures as they are.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use dockhand_core::Error;
use dockhand_core::outbox::{self, Envelope};
use dockhand_core::protocol::events::EventMovement;
use dockhand_core::sync::protocol::Import;
use dockhand_hub::api;
use dockhand_hub::store::prelude::*;
use dockhand_hub::store::{GrantMode, ImportSource};
use uuid::Uuid;

use super::stock::{PER_LOCATION, catalog_of, movement};
use super::sync::{backlog, serve};
use super::{Figures, bench_error};

/// Requests timed per page.
const ASKED: usize = 60;
const PASSWORD: &str = "bench console password";

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// A client that keeps the console's cookie.
struct Browser {
    http: reqwest::Client,
    url: String,
    cookie: String,
}

impl Browser {
    async fn sign_in(url: &str) -> Result<Self, Error> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| bench_error("client", e))?;
        let page = http
            .get(format!("{url}/console/signin"))
            .send()
            .await
            .map_err(|e| bench_error("sign-in page", e))?;
        let form_cookie = cookie_of(&page, "dockhand_console_form")?;
        let body = page
            .text()
            .await
            .map_err(|e| bench_error("sign-in page", e))?;
        let marker = "name=\"form\" value=\"";
        let start = body
            .find(marker)
            .ok_or_else(|| bench_error("sign-in page", "no form token"))?
            + marker.len();
        let form = &body[start..start + 64];
        let signed = http
            .post(format!("{url}/console/signin"))
            .header("cookie", format!("dockhand_console_form={form_cookie}"))
            .form(&[("form", form), ("name", "bench"), ("password", PASSWORD)])
            .send()
            .await
            .map_err(|e| bench_error("sign in", e))?;
        let session = cookie_of(&signed, "dockhand_console")?;
        Ok(Self {
            http,
            url: url.into(),
            cookie: format!("dockhand_console={session}"),
        })
    }

    /// One page: the time until its last byte, and its size.
    async fn get(&self, path: &str) -> Result<(Duration, usize), Error> {
        let (took, body) = self.page(path).await?;
        Ok((took, body.len()))
    }

    /// A page's time and body.
    async fn page(&self, path: &str) -> Result<(Duration, String), Error> {
        let started = Instant::now();
        let response = self
            .http
            .get(format!("{}{path}", self.url))
            .header("cookie", &self.cookie)
            .send()
            .await
            .map_err(|e| bench_error(path, e))?;
        let status = response.status();
        let body = response.text().await.map_err(|e| bench_error(path, e))?;
        if !status.is_success() {
            return Err(bench_error(path, format!("answered {status}")));
        }
        Ok((started.elapsed(), body))
    }
}

fn cookie_of(response: &reqwest::Response, name: &str) -> Result<String, Error> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next()?.split_once('='))
        .find(|(k, v)| *k == name && !v.is_empty())
        .map(|(_, v)| v.to_string())
        .ok_or_else(|| bench_error("sign in", format!("no {name} cookie")))
}

/// `rows` of one handheld's workload copied for each of `devices` (new ids, same seqs).
fn fleet_events(
    rows: &[Envelope],
    devices: usize,
    device: &dyn Fn(usize) -> String,
) -> Vec<Envelope> {
    let mut out = Vec::with_capacity(rows.len() * devices);
    for d in 0..devices {
        let id = device(d);
        for row in rows {
            let mut e = row.clone();
            e.device_id.clone_from(&id);
            e.event_id = Uuid::now_v7();
            out.push(e);
        }
    }
    out
}

pub(super) fn run(dir: &Path, events: usize, buckets: usize, devices: usize) -> Result<(), Error> {
    let runtime = tokio::runtime::Runtime::new().map_err(|e| bench_error("runtime", e))?;
    runtime.block_on(run_async(dir, events, buckets, devices.max(1)))
}

async fn run_async(dir: &Path, events: usize, buckets: usize, devices: usize) -> Result<(), Error> {
    let setting_up = Instant::now();
    let device_id = |d: usize| format!("handheld-{d:03}");
    let per_device = events.div_ceil(devices) as i64;
    let (workload, _) = backlog(per_device)?;
    let rows: Vec<Envelope> = workload
        .read(|c| outbox::events(c, 1, usize::try_from(per_device).unwrap_or(usize::MAX)))?
        .into_iter()
        .map(|e| e.envelope)
        .collect();
    let total_events = rows.len() * devices;
    let items = (buckets / 10).max(PER_LOCATION);
    let locations = buckets.div_ceil(PER_LOCATION).max(1);
    let hub: Arc<dyn BenchStore> = Arc::new(
        dockhand_hub::sqlite::SqliteStore::open(dir.join("console-hub.db"))
            .map_err(|e| bench_error("hub", e))?,
    );
    {
        let hub = hub.clone();
        let id_of = device_id;
        tokio::task::spawn_blocking(move || -> Result<(), Error> {
            let fail = |what: &str, e: dockhand_hub::HubError| bench_error(what, e);
            hub.import(
                &Import {
                    master: catalog_of(items, locations),
                    ..Import::default()
                },
                &ImportSource {
                    origin: dockhand_core::sync::protocol::HubEventOrigin::Import,
                    name: "bench",
                },
            )
            .map_err(|e| fail("catalog", e))?;
            let movements: Vec<EventMovement> = (0..buckets).map(|k| movement(k, items)).collect();
            hub.raw_stock(&movements, 50_000)
                .map_err(|e| fail("stock", e))?;
            for d in 0..devices {
                api::issue_token(
                    hub.as_ref(),
                    &id_of(d),
                    &format!("Handheld {d}"),
                    Duration::from_secs(3600),
                    GrantMode::Renew,
                    None,
                    None,
                )
                .map_err(|e| fail("register", e))?;
            }
            let all = fleet_events(&rows, devices, &id_of);
            hub.raw_insert(&all, 20_000, &api::now_text())
                .map_err(|e| fail("events", e))?;
            dockhand_hub::console::accounts::put_user(
                hub.as_ref(),
                "bench",
                "supervisor",
                PASSWORD,
                true,
            )
            .map_err(|e| fail("account", e))?;
            Ok(())
        })
        .await
        .map_err(|e| bench_error("set-up task", e))??;
    }
    let event = {
        let hub = hub.clone();
        tokio::task::spawn_blocking(move || hub.device_events(&device_id(devices / 2), 1))
            .await
            .map_err(|e| bench_error("event", e))?
            .map_err(|e| bench_error("event", e))?
    };
    let event_id = event
        .first()
        .and_then(|r| serde_json::from_str::<Envelope>(&r.envelope).ok())
        .map(|e| e.event_id.to_string())
        .unwrap_or_default();
    let hub_store: Arc<dyn HubStore> = hub.clone();
    let (url, stop) = serve(hub_store).await?;
    println!(
        "\nconsole: a hub of {} events, {buckets} stock buckets ({items} items x {locations} \
         locations), {devices} devices (set up in {:.0} s); {ASKED} requests a page, one at a time:",
        total_events,
        setting_up.elapsed().as_secs_f64()
    );
    let browser = Browser::sign_in(&url).await?;
    // The accuracy figures read the site's whole stock: computed as the hub starts (and by a
    // first view that comes before that is done), then kept and computed again in the background.
    let (cold, body) = browser.page("/console/accuracy").await?;
    let computed = body
        .split("Figures of ")
        .nth(1)
        .and_then(|t| t.split('<').next())
        .unwrap_or("?");
    println!(
        "  accuracy's first view after start: {:.1} ms; its figures: {computed}",
        ms(cold)
    );
    let middle = device_id(devices / 2);
    let pages = [
        ("health (baseline)", "/health".to_string()),
        ("floor", "/console".to_string()),
        (
            "floor's live check",
            "/console/pulse?page=Floor".to_string(),
        ),
        ("exceptions", "/console/exceptions".to_string()),
        ("tasks", "/console/tasks".to_string()),
        (
            "stock of a location",
            format!("/console/stock?q=S-{:06}", locations / 2),
        ),
        (
            "stock of an item",
            format!("/console/stock?q=SKU-{:07}", items / 2),
        ),
        ("accuracy (8 weeks)", "/console/accuracy".to_string()),
        ("ERP", "/console/erp".to_string()),
        ("events of a device", format!("/console/events?q={middle}")),
        ("an event", format!("/console/events/{event_id}")),
    ];
    let mut baseline = None;
    for (label, path) in &pages {
        for _ in 0..3 {
            browser.get(path).await?;
        }
        let mut samples = Vec::with_capacity(ASKED);
        let mut bytes = 0;
        for _ in 0..ASKED {
            let (took, size) = browser.get(path).await?;
            samples.push(took);
            bytes = size;
        }
        let f = Figures::new(samples);
        let ratio = baseline
            .map(|b: f64| format!("{:>7.1}x health", ms(f.median()) / b.max(1e-9)))
            .unwrap_or_default();
        if baseline.is_none() {
            baseline = Some(ms(f.median()));
        }
        let goal = if ms(f.quantile(0.99)) <= 200.0 {
            ""
        } else {
            "  (goal p99 <= 200 ms)"
        };
        println!(
            "  {label:<22} median {:>8.1} ms   p99 {:>8.1} ms   {bytes:>8} bytes  {ratio}{goal}",
            ms(f.median()),
            ms(f.quantile(0.99)),
        );
    }
    let _ = stop.send(());
    Ok(())
}
