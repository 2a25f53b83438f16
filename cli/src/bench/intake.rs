//! Hub intake under a fleet: N simulated handhelds, each with its own backlog of signed workload
//! events, push batches at once and pull the site's stock as they go, to one hub or to two hub
//! instances over one PostgreSQL database behind a round-robin client. The same run measures the
//! PostgreSQL hub with one connection (how it served every request before the pool) as the
//! baseline. Client and hubs share this machine: the figures are a floor for a real deployment.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use dockhand_core::outbox::{self, Envelope};
use dockhand_core::sample;
use dockhand_core::sync::protocol::{
    DeviceToken, EventBatch, Import, IntakeResult, Registration, StockPage,
};
use dockhand_core::workload::Workload;
use dockhand_core::{Error, Store, StoreOptions};
use dockhand_hub::HubStore;

use super::sync::serve_with;
use super::{Figures, bench_error};

/// One simulated handheld: its id and every event it will push.
struct Handheld {
    id: String,
    events: Vec<Envelope>,
}

/// `devices` handhelds with `events` workload events each (different seeds, different work).
fn fleet(devices: usize, events: i64) -> Result<Vec<Handheld>, Error> {
    (0..devices)
        .map(|d| {
            let id = format!("LOAD-{d:04}");
            let store = Store::open_in_memory(StoreOptions::new(&id))?;
            Workload::seed_store(&store)?;
            let mut mix = Workload::new(1_000 + d as u64);
            while store.read(outbox::last_seq)? < events {
                mix.step(&store)?;
            }
            let events = store
                .read(|c| outbox::events(c, 1, usize::MAX >> 1))?
                .into_iter()
                .map(|e| e.envelope)
                .collect();
            Ok(Handheld { id, events })
        })
        .collect()
}

/// What one run measured.
struct Run {
    events: usize,
    elapsed: Duration,
    pushes: Figures,
    pulls: Figures,
}

async fn post<T: serde::de::DeserializeOwned>(
    client: &reqwest::Client,
    url: String,
    token: Option<&str>,
    body: &impl serde::Serialize,
) -> Result<T, Error> {
    let mut request = client.post(&url).json(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.map_err(|e| bench_error(&url, e))?;
    let status = response.status();
    if !status.is_success() {
        let text = response.text().await.unwrap_or_default();
        return Err(bench_error(&url, format!("{status}: {text}")));
    }
    response.json().await.map_err(|e| bench_error(&url, e))
}

/// The fleet against the hubs at `urls` (the first is asked for set-up): every handheld on a task
/// of its own, batches of `batch` to the hubs in turn, a stock pull after every fourth batch.
async fn drive(urls: &[String], fleet: &[Handheld], batch: usize) -> Result<Run, Error> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(fleet.len())
        .build()
        .map_err(|e| bench_error("client", e))?;
    let _: serde_json::Value = post(
        &client,
        format!("{}/v1/admin/import", urls[0]),
        None,
        &Import {
            master: sample::warehouse(),
            ..Import::default()
        },
    )
    .await?;
    let mut tokens = Vec::new();
    for (i, device) in fleet.iter().enumerate() {
        let token: DeviceToken = post(
            &client,
            format!("{}/v1/devices/register", urls[i % urls.len()]),
            None,
            &Registration {
                device_id: device.id.clone(),
                name: String::new(),
                registration_secret: None,
                public_key: None,
                site: None,
            },
        )
        .await?;
        tokens.push(token.token);
    }
    let turn = Arc::new(AtomicUsize::new(0));
    let urls: Arc<Vec<String>> = Arc::new(urls.to_vec());
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (device, token) in fleet.iter().zip(tokens) {
        let (client, urls, turn) = (client.clone(), urls.clone(), turn.clone());
        let (id, events) = (device.id.clone(), device.events.clone());
        tasks.push(tokio::spawn(async move {
            let mut pushes = Vec::new();
            let mut pulls = Vec::new();
            let next = || urls[turn.fetch_add(1, Ordering::Relaxed) % urls.len()].clone();
            for (n, chunk) in events.chunks(batch).enumerate() {
                let start = Instant::now();
                let _: IntakeResult = post(
                    &client,
                    format!("{}/v1/events", next()),
                    Some(&token),
                    &EventBatch {
                        device_id: id.clone(),
                        events: chunk.to_vec(),
                    },
                )
                .await?;
                pushes.push(start.elapsed());
                if n % 4 == 3 {
                    let start = Instant::now();
                    let url = format!("{}/v1/stock?limit=1000", next());
                    let page: Result<StockPage, _> = async {
                        client
                            .get(&url)
                            .bearer_auth(&token)
                            .send()
                            .await?
                            .error_for_status()?
                            .json()
                            .await
                    }
                    .await;
                    page.map_err(|e| bench_error(&url, e))?;
                    pulls.push(start.elapsed());
                }
            }
            Ok::<_, Error>((pushes, pulls))
        }));
    }
    let (mut pushes, mut pulls) = (Vec::new(), Vec::new());
    for task in tasks {
        let (p, q) = task.await.map_err(|e| bench_error("handheld task", e))??;
        pushes.extend(p);
        pulls.extend(q);
    }
    Ok(Run {
        events: fleet.iter().map(|d| d.events.len()).sum(),
        elapsed: started.elapsed(),
        pushes: Figures::new(pushes),
        pulls: Figures::new(pulls),
    })
}

/// Serves each store on loopback and drives the fleet against them.
async fn measure(
    stores: Vec<Arc<dyn HubStore>>,
    fleet: &[Handheld],
    batch: usize,
) -> Result<Run, Error> {
    let mut urls = Vec::new();
    let mut stops = Vec::new();
    for store in stores {
        // The whole fleet registers from this one address.
        let config = dockhand_hub::HubConfig {
            registrations_per_minute: u32::MAX,
            ..dockhand_hub::HubConfig::default()
        };
        let (url, stop) = serve_with(store, config).await?;
        urls.push(url);
        stops.push(stop);
    }
    let run = drive(&urls, fleet, batch).await;
    for stop in stops {
        let _ = stop.send(());
    }
    run
}

fn row(label: &str, run: &Run, baseline: Option<f64>) -> f64 {
    let rate = run.events as f64 / run.elapsed.as_secs_f64();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "  {label:<34} {rate:>8.0} events/s   push p50 {:>6.1} ms p99 {:>7.1} ms   stock pull p99 {:>6.1} ms{}",
        ms(run.pushes.median()),
        ms(run.pushes.quantile(0.99)),
        ms(run.pulls.quantile(0.99)),
        baseline.map_or(String::new(), |b| format!("   {:.2}x", rate / b))
    );
    rate
}

/// Opens `count` PostgreSQL hub stores over one new database, `pool` connections each, off the
/// async runtime (the client blocks).
fn postgres_stores(
    base: &str,
    name: &str,
    count: usize,
    pool: u32,
) -> Result<Vec<Arc<dyn HubStore>>, Error> {
    let (base, name) = (base.to_string(), name.to_string());
    std::thread::spawn(move || {
        let url = dockhand_hub::postgres::create_database(&base, &name)
            .map_err(|e| bench_error("PostgreSQL", e))?;
        (0..count)
            .map(|_| {
                dockhand_hub::postgres::PostgresStore::connect_pooled(&url, pool)
                    .map(|s| Arc::new(s) as Arc<dyn HubStore>)
                    .map_err(|e| bench_error("PostgreSQL", e))
            })
            .collect()
    })
    .join()
    .map_err(|_| bench_error("PostgreSQL", "connect thread panicked"))?
}

/// `dockhand bench --hub-devices N`: the table of intake figures.
pub(super) fn run(
    dir: &std::path::Path,
    devices: usize,
    events: i64,
    batch: usize,
    postgres: Option<&str>,
    summary: &mut super::summary::Summary,
) -> Result<(), Error> {
    let made = Instant::now();
    let fleet = fleet(devices, events)?;
    println!(
        "\nhub intake: {devices} handhelds x {} events (made in {:.1} s), batches of {batch} pushed at once, a stock pull every 4th batch; client and hubs on this machine:",
        fleet.first().map_or(0, |d| d.events.len()),
        made.elapsed().as_secs_f64()
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(64)
        .build()
        .map_err(|e| bench_error("runtime", e))?;
    runtime.block_on(async {
        let sqlite: Arc<dyn HubStore> = Arc::new(
            dockhand_hub::sqlite::SqliteStore::open(dir.join("hub-intake.db"))
                .map_err(|e| bench_error("hub", e))?,
        );
        let on_sqlite = measure(vec![sqlite], &fleet, batch).await?;
        let sqlite_rate = row("sqlite, 1 instance", &on_sqlite, None);
        let figure = |what: &str| format!("hub intake, {devices} handhelds, {what}");
        let value = |rate: f64, run: &Run| {
            format!(
                "{rate:.0} events/s, push p99 {:.0} ms",
                run.pushes.quantile(0.99).as_secs_f64() * 1e3
            )
        };
        summary.add(
            figure("SQLite"),
            value(sqlite_rate, &on_sqlite),
            "",
            None,
            "",
            None,
        );
        let _ = std::fs::remove_file(dir.join("hub-intake.db"));
        let Some(base) = postgres else {
            println!("  (postgres: give --postgres URL for the PostgreSQL and two-instance rows)");
            return Ok(());
        };
        let pool = dockhand_hub::postgres::DEFAULT_POOL_SIZE;
        let one_connection = measure(
            postgres_stores(base, "dockhand_bench_intake_1c", 1, 1)?,
            &fleet,
            batch,
        )
        .await?;
        let before = row("postgres, 1 instance, 1 connection", &one_connection, None);
        let one = measure(
            postgres_stores(base, "dockhand_bench_intake_1", 1, pool)?,
            &fleet,
            batch,
        )
        .await?;
        let single = row(
            &format!("postgres, 1 instance, pool of {pool}"),
            &one,
            Some(before),
        );
        let two = measure(
            postgres_stores(base, "dockhand_bench_intake_2", 2, pool)?,
            &fleet,
            batch,
        )
        .await?;
        let double = row(
            &format!("postgres, 2 instances, pool of {pool}"),
            &two,
            Some(single),
        );
        let p99 = |run: &Run| run.pushes.quantile(0.99).as_secs_f64() * 1e3;
        summary.add(
            figure(&format!("PostgreSQL, 1 instance, pool of {pool}")),
            value(single, &one),
            format!("1 connection: {}", value(before, &one_connection)),
            Some(single / before.max(1e-9)),
            ">= 10,000 events/s, push p99 <= 100 ms at 200 handhelds",
            (devices >= 200).then_some(single >= 10_000.0 && p99(&one) <= 100.0),
        );
        summary.add(
            figure("PostgreSQL, 2 instances"),
            value(double, &two),
            format!("1 instance: {single:.0} events/s"),
            Some(double / single.max(1e-9)),
            ">= 1.7x one instance at 200 handhelds",
            (devices >= 200).then_some(double / single.max(1e-9) >= 1.7),
        );
        println!(
            "  goals: >= 10,000 events/s with 200 devices on PostgreSQL, push p99 <= 100 ms; two instances >= 1.7x one"
        );
        Ok(())
    })
}
