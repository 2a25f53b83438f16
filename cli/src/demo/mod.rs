//! `dockhand demo`: a simulated early shift on the sample warehouse.
//!
//! Alice works dock door 1, Bob dock door 2, Sam supervises. They receive the Nordic Foods ASN and a
//! blind delivery of drills, make the mistakes people make (a wrong check string, an unknown barcode,
//! a double trigger pull), close the ASN with a shortage, and put everything away. The shift runs
//! on a simulated clock (2026-11-27 from 06:00 at UTC+01:00) so every run tells the same story.
//! Every time it prints is the site's local time; the heading names the zone once.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate};
use dockhand_core::putaway::{self, ConfirmPutaway, PutawayRequest};
use dockhand_core::receiving::{self, ReceiveLine};
use dockhand_core::{
    Error, ManualClock, ScannedGoods, StockStatus, Store, StoreOptions, catalog, sample,
};
use uuid::Uuid;

mod fleet;
mod floor;
mod held;
mod inbound;
mod outbound;
mod returns;
mod summary;
mod sync;
mod tables;
mod words;

/// The sample warehouse as the demo's ERP sends it: pick face P-01-01 is kept stocked with towels
/// between 40 and 72.
pub(crate) fn warehouse() -> catalog::MasterData {
    let mut data = sample::warehouse();
    for location in &mut data.locations {
        if location.code == "P-01-01" {
            location.replenish = Some(catalog::Replenishment {
                sku: sample::TOWELS.into(),
                min_units: 40,
                max_units: 72,
            });
        }
    }
    data
}

/// When the simulated shift starts, in the site's time zone.
const SHIFT_START: &str = "2026-11-27T06:00:00+01:00";

pub(crate) struct Shift {
    pub(crate) store: Arc<Store>,
    pub(crate) clock: Arc<ManualClock>,
}

pub(crate) fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

impl Shift {
    pub(crate) fn minutes(&self, m: i64) {
        self.clock.advance(Duration::minutes(m));
    }

    pub(crate) fn at(&self) -> String {
        self.clock_now().format("%H:%M").to_string()
    }

    pub(crate) fn clock_now(&self) -> DateTime<FixedOffset> {
        dockhand_core::Clock::now(self.clock.as_ref())
    }

    /// When the shift started.
    pub(crate) fn started(&self) -> Result<DateTime<FixedOffset>, Error> {
        DateTime::parse_from_rfc3339(SHIFT_START).map_err(|e| Error::invalid("demo", e.to_string()))
    }

    /// The site's time zone, as the heading names it ("UTC+01:00").
    pub(crate) fn zone(&self) -> String {
        format!("UTC{}", self.clock_now().offset())
    }

    /// A stored UTC time ("2026-11-27T07:26:00.000Z") in the site's time, as `at` prints it.
    pub(crate) fn local(&self, utc: &str) -> String {
        DateTime::parse_from_rfc3339(utc).map_or_else(
            |_| utc.to_string(),
            |t| {
                t.with_timezone(self.clock_now().offset())
                    .format("%H:%M")
                    .to_string()
            },
        )
    }

    pub(crate) fn receive(
        &self,
        operator: &str,
        dock: &str,
        scan: ScannedGoods,
        qty: i64,
        lpn: Option<&str>,
    ) -> Result<(), Error> {
        self.receive_on(sample::ASN, operator, dock, scan, qty, lpn, None)
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn receive_on(
        &self,
        receipt: &str,
        operator: &str,
        dock: &str,
        scan: ScannedGoods,
        qty: i64,
        lpn: Option<&str>,
        approved_by: Option<&str>,
    ) -> Result<(), Error> {
        let cmd = ReceiveLine {
            op_id: Uuid::now_v7(),
            operator: operator.into(),
            receipt_id: receipt.into(),
            dock: dock.into(),
            scan,
            quantity: qty,
            lpn: lpn.map(str::to_string),
            approval: approved_by.map(sample::badge_of),
        };
        let r = receiving::receive_line(&self.store, &cmd)?;
        let held = match (r.status, r.quarantine_reason) {
            (StockStatus::Received, _) => String::new(),
            (status, Some(why)) => format!(" — HELD {}: {why}", words::status(status)),
            (status, None) => format!(" — {}", words::status(status)),
        };
        let progress = if r.line_expected > 0 {
            format!(
                "line {}: {} of {} expected",
                r.line_no, r.line_received, r.line_expected
            )
        } else {
            format!("blind line {}: {} so far", r.line_no, r.line_received)
        };
        println!(
            "  {} {operator:<5} received {:>3} x {:<10} lot {:<7} on {} ({progress}){held}",
            self.at(),
            r.base_quantity,
            r.sku,
            if r.lot.is_empty() { "-" } else { &r.lot },
            r.location,
        );
        self.minutes(3);
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn put_away(
        &self,
        operator: &str,
        dock: &str,
        scan: ScannedGoods,
        qty: i64,
        lpn: Option<&str>,
        to: Option<(&str, &str)>,
        reason: Option<&str>,
    ) -> Result<(), Error> {
        let task = putaway::suggest_putaway(
            &self.store,
            &PutawayRequest {
                from: dock.into(),
                scan: scan.clone(),
                lpn: lpn.map(str::to_string),
            },
        )?;
        let target = self
            .store
            .read(|c| catalog::location_by_code(c, &task.suggestion.location))?;
        let (to, check) = to.unwrap_or((
            target.location.code.as_str(),
            target.location.check_string.as_str(),
        ));
        let cmd = ConfirmPutaway {
            op_id: Uuid::now_v7(),
            operator: operator.into(),
            from: dock.into(),
            scan,
            lpn: lpn.map(str::to_string),
            quantity: qty,
            to: to.into(),
            location_scan: check.into(),
            override_reason: reason.map(str::to_string),
        };
        let r = putaway::confirm_putaway(&self.store, &cmd)?;
        let overridden = r
            .override_reason
            .as_deref()
            .map(|why| {
                format!(
                    " (suggested {}, overridden: {why})",
                    task.suggestion.location
                )
            })
            .unwrap_or_else(|| format!(" (suggested: {})", words::rule(task.suggestion.rule)));
        println!(
            "  {} {operator:<5} put away {:>3} x {:<10} {} -> {:<8} now {}{overridden}; {} left at {}",
            self.at(),
            r.base_quantity,
            r.sku,
            r.from,
            r.to,
            words::status(r.status_after),
            r.remaining_on_dock,
            r.from
        );
        self.minutes(4);
        Ok(())
    }

    pub(crate) fn refused<T>(&self, what: &str, outcome: Result<T, Error>) -> Result<(), Error> {
        match outcome {
            Err(e) if e.kind() != dockhand_core::ErrorKind::Storage => {
                println!(
                    "  {} {what}: refused: {}",
                    self.at(),
                    words::plain(&e.to_string())
                );
                Ok(())
            }
            Err(e) => Err(e),
            Ok(_) => Err(Error::invalid(
                "demo",
                format!("{what} should have been refused"),
            )),
        }
    }
}

/// `dockhand demo` options.
#[derive(clap::Args)]
pub struct Args {
    /// Keep the device database at PATH (must not exist yet) instead of a temporary file. It is
    /// encrypted: with the key given (--key-file / DOCKHAND_DB_KEY), or with a new random key
    /// written to PATH.key.
    #[arg(long, value_name = "PATH")]
    db: Option<PathBuf>,
    #[command(flatten)]
    key: crate::key::KeyArgs,
    /// Sync with the hub running at URL instead of one started in this process.
    #[arg(long, value_name = "URL")]
    hub: Option<String>,
    /// Admin token of that hub (when it runs in production mode).
    #[arg(long, env = "DOCKHAND_HUB_ADMIN_TOKEN")]
    admin_token: Option<String>,
}

pub fn run(args: Args) -> Result<ExitCode, Error> {
    let Args {
        db,
        key,
        hub,
        admin_token,
    } = args;
    let given_key = key.key()?;
    let runtime = tokio::runtime::Runtime::new()
        .map_err(|e| Error::invalid("demo", format!("cannot start the async runtime: {e}")))?;
    // A hub given on the command line is checked before the shift, not after it.
    if let Some(url) = &hub {
        let line = runtime.block_on(sync::DemoHub::remote(url, admin_token.clone()).check())?;
        println!("{line}");
    }
    // A running hub may have met earlier demos: their devices had the same names and their own
    // events, so this run's devices get a suffix.
    let run_tag = match &hub {
        Some(_) => format!("-{}", &Uuid::now_v7().simple().to_string()[24..]),
        None => String::new(),
    };
    let temp =
        tempfile::tempdir().map_err(|e| Error::invalid("temporary directory", e.to_string()))?;
    let (path, kept) = match db {
        Some(path) if path.exists() => {
            return Err(Error::invalid(
                "--db",
                format!(
                    "{} already exists; the demo needs a new database file",
                    path.display()
                ),
            ));
        }
        Some(path) => (path, true),
        None => (temp.path().join("demo-device.db"), false),
    };
    // Encrypted like a handheld's: a kept database's new key goes beside it for `inspect`.
    let (key, key_note) = match given_key {
        Some(key) => (key, String::new()),
        None if kept => {
            let file = crate::key::sibling(&path, ".key");
            let key = crate::key::write_new_key(&file)?;
            (key, format!("; key in {}", file.display()))
        }
        None => (dockhand_core::keys::generate_key(), String::new()),
    };
    let clock = Arc::new(ManualClock::at(SHIFT_START));
    let device_id = format!("handheld-07{run_tag}");
    let store = Arc::new(Store::open_with(
        &path,
        StoreOptions::new(&device_id)
            .with_clock(clock.clone())
            .with_encryption_key(key)
            // One simulated handheld plays every operator of the shift; on a real one each signs
            // in with badge and PIN. Approvals need the supervisor's badge and PIN here too.
            .with_policy(dockhand_core::Policy {
                sign_in_required: false,
                ..Default::default()
            }),
    )?);
    let shift = Shift { store, clock };
    let s = &shift;

    println!(
        "dockhand demo — early shift, {}, device {device_id}; all times are site time, {}",
        s.clock_now().format("%A %-d %B %Y"),
        s.zone()
    );
    println!(
        "database: {} (encrypted{}{key_note})",
        path.display(),
        if kept { "" } else { ", temporary" }
    );

    inbound::run(s)?;
    floor::run(s)?;
    held::run(s)?;
    returns::run(s)?;

    let verified = tables::run(s)?;

    let in_sync = runtime.block_on(async {
        let hub = match &hub {
            Some(url) => sync::DemoHub::remote(url, admin_token.clone()),
            None => sync::DemoHub::in_process().await?,
        };
        let labels = kept.then(|| crate::key::sibling(&path, "-labels"));
        sync::run(s, &hub, &run_tag, labels.as_deref()).await
    })?;
    let verified_after_sync = summary::run(s)?;
    if kept {
        println!(
            "\nInspect it again with: dockhand inspect {}",
            path.display()
        );
    }
    Ok(if verified && in_sync && verified_after_sync {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
