//! Hub intake under a fleet: N simulated handhelds, each with its own backlog of signed workload
//! events, push batches at once (or at a set rate each), pull the site's stock and race each other
//! for count tasks as they go, to one hub or to two hub instances over one PostgreSQL database
//! behind a round-robin client. The same run measures the PostgreSQL hub with one connection (how
//! it served every request before the pool) as the baseline. Client and hubs share this machine:
//! the figures are a floor for a real deployment.
//!
//! The claims are checked, not only timed: two handhelds ask for each task at about the same time,
//! and at the end every task must be held by the one handheld the hub told it had won, whichever
//! instance each asked.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use dockhand_core::counting::CountTaskRequest;
use dockhand_core::outbox::{self, Envelope};
use dockhand_core::sample;
use dockhand_core::sync::protocol::{
    DeviceToken, EventBatch, Import, IntakeResult, Registration, StockPage,
};
use dockhand_core::workload::Workload;
use dockhand_core::{Error, Store, StoreOptions};
use dockhand_hub::HubStore;
use dockhand_protocol::tasks::{ClaimRequest, TaskClaim, TaskKind, TaskListing};

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

/// How the simulated fleet works.
#[derive(Clone, Copy)]
pub(super) struct Load {
    /// Events per push.
    pub(super) batch: usize,
    /// Events per second each handheld offers (0: each pushes as soon as its last push is
    /// answered). Pushes are spread over the interval, not sent by all handhelds at once.
    pub(super) rate: f64,
}

impl Load {
    /// The load `--hub-batch` and `--hub-rate` ask for, refused when the rate is not a number
    /// of events per second the fleet can keep (negative, not a number, or so low a handheld
    /// would wait over a minute between pushes).
    pub(super) fn new(batch: usize, rate: f64) -> Result<Self, Error> {
        let batch = batch.max(1);
        let pace = batch as f64 / rate;
        if !rate.is_finite() || rate < 0.0 || (rate > 0.0 && pace > 60.0) {
            return Err(Error::invalid(
                "bench",
                format!(
                    "--hub-rate is the events per second each handheld offers, 0 (as fast as \
                     the hub answers) or enough for a push of {batch} a minute at least; {rate} \
                     is not"
                ),
            ));
        }
        Ok(Self { batch, rate })
    }
}

/// What one run measured.
struct Run {
    events: usize,
    elapsed: Duration,
    pushes: Figures,
    pulls: Figures,
    claims: Figures,
    /// Claims answered "yours" and "held by another handheld".
    won: usize,
    refused: usize,
    /// How late pushes left against their schedule (at a set rate: the client fell behind).
    late: Figures,
}

/// The count tasks the fleet races for: one for every two handhelds.
fn count_tasks(devices: usize) -> Vec<CountTaskRequest> {
    let location = sample::warehouse()
        .locations
        .first()
        .map(|l| l.code.clone());
    (0..devices.div_ceil(2))
        .map(|k| CountTaskRequest {
            task_id: format!("LOAD-COUNT-{k:04}"),
            location: location.clone(),
            sku: None,
            reason: "load test".into(),
        })
        .collect()
}

/// Asks the hub at `url` for a count task: whether this handheld holds it now (`false`: another
/// one does, the hub's 409).
async fn claim(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    device: &str,
    task_id: &str,
) -> Result<bool, Error> {
    let url = format!("{url}/v1/tasks/claim");
    let response = client
        .post(&url)
        .bearer_auth(token)
        .json(&ClaimRequest {
            task_kind: TaskKind::Count,
            task_id: task_id.into(),
            operator_id: None,
        })
        .send()
        .await
        .map_err(|e| bench_error(&url, e))?;
    match response.status() {
        reqwest::StatusCode::CONFLICT => Ok(false),
        status if status.is_success() => {
            let held: TaskClaim = response.json().await.map_err(|e| bench_error(&url, e))?;
            Ok(held.device_id.as_deref() == Some(device))
        }
        status => {
            let text = response.text().await.unwrap_or_default();
            Err(bench_error(&url, format!("{status}: {text}")))
        }
    }
}

/// Checks the hub's task list against what the handhelds were told: every task someone won is
/// held by that one handheld, and no task was won by two.
async fn check_claims(
    client: &reqwest::Client,
    url: &str,
    won: &[(String, String)],
) -> Result<(), Error> {
    let mut winners: std::collections::HashMap<&str, &str> = Default::default();
    for (task, device) in won {
        if let Some(other) = winners.insert(task, device)
            && other != device
        {
            return Err(bench_error(
                "claims",
                format!("task {task} was given to both {other} and {device}"),
            ));
        }
    }
    let url = format!("{url}/v1/admin/tasks");
    let listing: Vec<TaskListing> = async {
        client
            .get(&url)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await
    }
    .await
    .map_err(|e| bench_error(&url, e))?;
    for (task, device) in winners {
        let holder = listing
            .iter()
            .find(|t| t.task_id == task)
            .and_then(|t| t.claim.as_ref())
            .and_then(|c| c.device_id.as_deref());
        if holder != Some(device) {
            return Err(bench_error(
                "claims",
                format!(
                    "task {task} was won by {device}, but the hub says it is held by {holder:?}"
                ),
            ));
        }
    }
    Ok(())
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
/// of its own, batches of `load.batch` to the hubs in turn, a stock pull and a claim of a count
/// task (the same as its neighbour's) after every fourth batch.
async fn drive(urls: &[String], fleet: &[Handheld], load: Load) -> Result<Run, Error> {
    let batch = load.batch;
    let tasks = count_tasks(fleet.len());
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
            count_tasks: tasks.clone(),
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
    let tasks: Arc<Vec<String>> = Arc::new(tasks.into_iter().map(|t| t.task_id).collect());
    // At a set rate, each handheld pushes every `pace`, the fleet spread evenly over it.
    let pace = (load.rate > 0.0).then(|| Duration::from_secs_f64(batch as f64 / load.rate));
    let started = Instant::now();
    let mut running = Vec::new();
    for (d, (device, token)) in fleet.iter().zip(tokens).enumerate() {
        let (client, urls, turn, tasks) =
            (client.clone(), urls.clone(), turn.clone(), tasks.clone());
        let (id, events) = (device.id.clone(), device.events.clone());
        let offset = pace.map(|p| p.mul_f64(d as f64 / fleet.len() as f64));
        running.push(tokio::spawn(async move {
            let mut done = Done::default();
            let next = || urls[turn.fetch_add(1, Ordering::Relaxed) % urls.len()].clone();
            for (n, chunk) in events.chunks(batch).enumerate() {
                if let (Some(pace), Some(offset)) = (pace, offset) {
                    let due = started + offset + pace * n as u32;
                    tokio::time::sleep_until(due.into()).await;
                    done.late
                        .push(Instant::now().saturating_duration_since(due));
                }
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
                done.pushes.push(start.elapsed());
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
                    done.pulls.push(start.elapsed());
                    // Neighbours (0 and 1, 2 and 3, …) ask for the same tasks in the same order.
                    let task = &tasks[(d / 2 + done.claims.len()) % tasks.len()];
                    let start = Instant::now();
                    let won = claim(&client, &next(), &token, &id, task).await?;
                    done.claims.push(start.elapsed());
                    if won {
                        done.won.push((task.clone(), id.clone()));
                    } else {
                        done.refused += 1;
                    }
                }
            }
            Ok::<_, Error>(done)
        }));
    }
    let mut all = Done::default();
    for task in running {
        let done = task.await.map_err(|e| bench_error("handheld task", e))??;
        all.pushes.extend(done.pushes);
        all.pulls.extend(done.pulls);
        all.claims.extend(done.claims);
        all.won.extend(done.won);
        all.refused += done.refused;
        all.late.extend(done.late);
    }
    let elapsed = started.elapsed();
    check_claims(&client, &urls[0], &all.won).await?;
    Ok(Run {
        events: fleet.iter().map(|d| d.events.len()).sum(),
        elapsed,
        pushes: Figures::new(all.pushes),
        pulls: Figures::new(all.pulls),
        claims: Figures::new(all.claims),
        won: all.won.len(),
        refused: all.refused,
        late: Figures::new(all.late),
    })
}

/// What one handheld's run came to.
#[derive(Default)]
struct Done {
    pushes: Vec<Duration>,
    pulls: Vec<Duration>,
    claims: Vec<Duration>,
    /// (task, this handheld) for each claim it won.
    won: Vec<(String, String)>,
    refused: usize,
    late: Vec<Duration>,
}

/// Serves each store on loopback and drives the fleet against them.
async fn measure(
    stores: Vec<Arc<dyn HubStore>>,
    fleet: &[Handheld],
    load: Load,
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
    let run = drive(&urls, fleet, load).await;
    for stop in stops {
        let _ = stop.send(());
    }
    run
}

fn row(label: &str, run: &Run, baseline: Option<f64>) -> f64 {
    let rate = run.events as f64 / run.elapsed.as_secs_f64();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let late = if run.late.0.is_empty() {
        String::new()
    } else {
        format!("   pushes late p99 {:.1} ms", ms(run.late.quantile(0.99)))
    };
    println!(
        "  {label:<34} {rate:>8.0} events/s   push p50 {:>6.1} ms p99 {:>7.1} ms   stock pull p99 {:>6.1} ms   claim p99 {:>6.1} ms ({} won, {} held by another){late}{}",
        ms(run.pushes.median()),
        ms(run.pushes.quantile(0.99)),
        ms(run.pulls.quantile(0.99)),
        ms(run.claims.quantile(0.99)),
        run.won,
        run.refused,
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
    load: Load,
    postgres: Option<&str>,
    summary: &mut super::summary::Summary,
) -> Result<(), Error> {
    let made = Instant::now();
    let fleet = fleet(devices, events)?;
    println!(
        "\nhub intake: {devices} handhelds x {} events (made in {:.1} s), batches of {} pushed {}, a stock pull and a count-task claim every 4th batch (two handhelds per task); client and hubs on this machine:",
        fleet.first().map_or(0, |d| d.events.len()),
        made.elapsed().as_secs_f64(),
        load.batch,
        if load.rate > 0.0 {
            format!(
                "at {} events/s per handheld ({:.0} events/s offered)",
                load.rate,
                load.rate * devices as f64
            )
        } else {
            "at once".into()
        }
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
        let on_sqlite = measure(vec![sqlite], &fleet, load).await?;
        let sqlite_rate = row("sqlite, 1 instance", &on_sqlite, None);
        let figure = |what: &str| format!("hub intake, {devices} handhelds, {what}");
        let value = |rate: f64, run: &Run| {
            format!(
                "{rate:.0} events/s, push p99 {:.0} ms, claim p99 {:.0} ms",
                run.pushes.quantile(0.99).as_secs_f64() * 1e3,
                run.claims.quantile(0.99).as_secs_f64() * 1e3
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
            load,
        )
        .await?;
        let before = row("postgres, 1 instance, 1 connection", &one_connection, None);
        let one = measure(
            postgres_stores(base, "dockhand_bench_intake_1", 1, pool)?,
            &fleet,
            load,
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
            load,
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
