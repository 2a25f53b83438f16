//! The PostgreSQL backend (`--database postgres://…`): the production store, where several hub
//! instances may share one database. Statements are prepared once per transaction.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use dockhand_protocol::events::EventMovement;
use dockhand_protocol::sync::{
    Change, ChangeKind, DeviceStatus, Envelope, FeedEvent, HubException, Import, ImportResult,
    IntakeResult, StockLine,
};
use postgres::types::ToSql;
use postgres::{Client, NoTls, Row, Statement, Transaction};

use crate::erp::{ErpPost, ErpStatus};
use crate::error::{HubError, HubResult, postgres_message};
use crate::store::{
    BucketKey, Dialect, FEED_PAGE, FEED_PAGE_BYTES, GrantMode, HELD_ALERT, Housekeeping, HubStore,
    ImportTx, IntakeTx, Judged, Position, REFUSALS_KEPT, REJECTED_ALERT, REJECTED_BODIES_KEPT,
    StoredEvent, TOKENS_KEPT, TokenGrant, admission, device_sql, exception_of, migrations, schema,
    status_of, status_text,
};
use crate::store::{
    Unzip3, enrolment, erp_columns, erp_post_of, erp_sql, fork_refusal, position_sql,
};
use crate::{import, intake};

/// The PostgreSQL backend.
pub struct PostgresStore {
    /// `None` only while being dropped.
    client: Mutex<Option<Client>>,
}

impl Drop for PostgresStore {
    /// The blocking client closes its connection on its own thread: the last reference may go
    /// away on an async worker (at server shutdown), where blocking is not allowed.
    fn drop(&mut self) {
        if let Ok(slot) = self.client.get_mut()
            && let Some(client) = slot.take()
        {
            std::thread::spawn(move || drop(client));
        }
    }
}

impl PostgresStore {
    /// Connects to `url` and creates the tables when missing.
    /// `sslmode` (`require`, `verify-ca`, `verify-full`) and `sslrootcert` in the URL ask for
    /// TLS as with libpq.
    pub fn connect(url: &str) -> HubResult<Self> {
        let (plain_url, tls) = crate::tls::pg_tls(url)?;
        let connected = match crate::tls::pg_client_config(&tls)? {
            None => Client::connect(&plain_url, NoTls),
            Some(config) => Client::connect(
                &plain_url,
                tokio_postgres_rustls::MakeRustlsConnect::new(config),
            ),
        };
        let mut client = connected.map_err(|e| {
            HubError::Storage(format!(
                "cannot connect to PostgreSQL at {}: {}",
                redact(url),
                connect_error(&e)
            ))
        })?;
        // Hub instances starting together over one database take turns creating and migrating it.
        let mut tx = client.transaction()?;
        tx.batch_execute("SELECT pg_advisory_xact_lock(7420411)")?;
        tx.batch_execute(&schema(Dialect::Postgres))?;
        for (version, sql) in migrations(Dialect::Postgres) {
            let done: bool = tx
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)",
                    &[&version],
                )?
                .get(0);
            if !done {
                tx.batch_execute(&sql)?;
                tx.execute(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
                    &[&version, &crate::api::now_text()],
                )?;
            }
        }
        tx.commit()?;
        Ok(Self {
            client: Mutex::new(Some(client)),
        })
    }

    fn with<T>(&self, run: impl FnOnce(&mut Client) -> HubResult<T>) -> HubResult<T> {
        let mut guard: MutexGuard<'_, Option<Client>> = self.client.lock().map_err(|_| {
            HubError::Storage("an earlier request panicked holding the database".into())
        })?;
        let client = guard
            .as_mut()
            .ok_or_else(|| HubError::Storage("the PostgreSQL store is closed".into()))?;
        run(client)
    }

    fn in_tx<T>(&self, run: impl FnOnce(&mut PgTx<'_, '_>) -> HubResult<T>) -> HubResult<T> {
        self.with(|client| Self::tx_on(client, run))
    }

    fn tx_on<T>(
        client: &mut Client,
        run: impl FnOnce(&mut PgTx<'_, '_>) -> HubResult<T>,
    ) -> HubResult<T> {
        let mut tx = client.transaction()?;
        let value = {
            let mut pg = PgTx::new(&mut tx);
            run(&mut pg)?
        };
        tx.commit()?;
        Ok(value)
    }

    fn query(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> HubResult<Vec<Row>> {
        self.with(|c| Ok(c.query(sql, params)?))
    }
}

/// A stored event from a row of device_id, seq, hash, status, code, reason starting at `at`.
fn stored_from_row(r: &Row, at: usize) -> StoredEvent {
    StoredEvent {
        device_id: r.get(at),
        seq: r.get(at + 1),
        hash: r.get(at + 2),
        status: status_of(r.get(at + 3)),
        code: r.get(at + 4),
        reason: r.get(at + 5),
    }
}

/// Creates database `name` (dropping an older one of that name) on the server at `base` and
/// returns its URL: a hub of its own for a test or a benchmark run.
pub fn create_database(base: &str, name: &str) -> HubResult<String> {
    let mut admin = Client::connect(base, NoTls)?;
    // Each on its own: CREATE DATABASE cannot run inside a multi-statement query's transaction.
    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))?;
    admin.batch_execute(&format!("CREATE DATABASE {name}"))?;
    Ok(match base.rfind('/') {
        Some(i) => format!("{}/{name}", &base[..i]),
        None => format!("{base}/{name}"),
    })
}

/// A connection failure with its cause (a TLS error's Display says only "error performing TLS
/// handshake").
fn connect_error(e: &postgres::Error) -> String {
    let mut text = postgres_message(e);
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// The URL without its password, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme && url[scheme + 3..at].contains(':') => {
            let user_part = &url[scheme + 3..at];
            let user = user_part.split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

/// A transaction with its prepared statements. Intake buffers its writes (event rows, stock
/// deltas, feed entries) and sends each kind as one statement over arrays at `flush`: one round
/// trip per batch instead of several per event.
struct PgTx<'a, 'b> {
    tx: &'a mut Transaction<'b>,
    statements: HashMap<&'static str, Statement>,
    /// Events of the batch already stored, looked up at once by `prefetch`.
    known: HashMap<uuid::Uuid, StoredEvent>,
    prefetched: bool,
    rows: EventRows,
    stock: HashMap<BucketKey, i64>,
    /// Bucket quantities read from the database in this transaction (before `stock`'s deltas).
    buckets: HashMap<BucketKey, i64>,
    feed: Vec<String>,
    skus: HashMap<String, bool>,
}

/// Event rows waiting for `flush`, column by column.
#[derive(Default)]
struct EventRows {
    event_id: Vec<String>,
    device_id: Vec<String>,
    seq: Vec<i64>,
    event_type: Vec<String>,
    hash: Vec<String>,
    envelope: Vec<String>,
    status: Vec<String>,
    code: Vec<Option<String>>,
    reason: Vec<Option<String>>,
    received_at: Vec<String>,
}

impl<'a, 'b> PgTx<'a, 'b> {
    fn new(tx: &'a mut Transaction<'b>) -> Self {
        Self {
            tx,
            statements: HashMap::new(),
            known: HashMap::new(),
            prefetched: false,
            rows: EventRows::default(),
            stock: HashMap::new(),
            buckets: HashMap::new(),
            feed: Vec::new(),
            skus: HashMap::new(),
        }
    }

    fn flush_events(&mut self) -> HubResult<()> {
        if self.rows.event_id.is_empty() {
            return Ok(());
        }
        let r = std::mem::take(&mut self.rows);
        self.exec(
            "INSERT INTO events (event_id, device_id, seq, event_type, hash, envelope, status, code,
                                 reason, received_at)
             SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[],
                                  $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])",
            &[
                &r.event_id,
                &r.device_id,
                &r.seq,
                &r.event_type,
                &r.hash,
                &r.envelope,
                &r.status,
                &r.code,
                &r.reason,
                &r.received_at,
            ],
        )?;
        Ok(())
    }
}

impl PgTx<'_, '_> {
    fn prepared(&mut self, sql: &'static str) -> HubResult<Statement> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let s = self.tx.prepare(sql)?;
        self.statements.insert(sql, s.clone());
        Ok(s)
    }

    fn opt(&mut self, sql: &'static str, params: &[&(dyn ToSql + Sync)]) -> HubResult<Option<Row>> {
        let s = self.prepared(sql)?;
        Ok(self.tx.query_opt(&s, params)?)
    }

    fn exec(&mut self, sql: &'static str, params: &[&(dyn ToSql + Sync)]) -> HubResult<u64> {
        let s = self.prepared(sql)?;
        Ok(self.tx.execute(&s, params)?)
    }

    fn exists(&mut self, sql: &'static str, params: &[&(dyn ToSql + Sync)]) -> HubResult<bool> {
        let s = self.prepared(sql)?;
        Ok(self.tx.query_one(&s, params)?.get(0))
    }
}

impl IntakeTx for PgTx<'_, '_> {
    fn position(&mut self, device_id: &str) -> HubResult<Position> {
        // FOR UPDATE: two hub instances taking the same device's batches serialise here.
        let row = self.opt(position_sql::READ_LOCKED, &[&device_id])?;
        Ok(row.map_or_else(Position::default, |r| {
            let held = match (r.get(3), r.get(4), r.get(5)) {
                (Some(code), Some(reason), Some(since)) => Some((code, reason, since)),
                _ => None,
            };
            Position {
                contiguous_seq: r.get(0),
                last_hash: r.get(1),
                public_key: r.get(2),
                held,
                accept_fork: r.get::<_, i64>(6) != 0,
            }
        }))
    }

    fn set_position(&mut self, device_id: &str, p: &Position, now: &str) -> HubResult<()> {
        let (code, reason, since) = p.held.clone().unzip3();
        self.exec(
            position_sql::WRITE,
            &[
                &p.contiguous_seq,
                &p.last_hash,
                &now,
                &code,
                &reason,
                &since,
                &i64::from(p.accept_fork),
                &device_id,
            ],
        )?;
        Ok(())
    }

    fn stored(&mut self, event_id: &uuid::Uuid) -> HubResult<Option<StoredEvent>> {
        if self.prefetched {
            return Ok(self.known.get(event_id).cloned());
        }
        let id = event_id.to_string();
        let row = self.opt(
            "SELECT device_id, seq, hash, status, code, reason FROM events WHERE event_id = $1",
            &[&id],
        )?;
        Ok(row.map(|r| stored_from_row(&r, 0)))
    }

    fn prefetch(&mut self, event_ids: &[uuid::Uuid]) -> HubResult<()> {
        let ids: Vec<String> = event_ids.iter().map(ToString::to_string).collect();
        let s = self.prepared(
            "SELECT event_id, device_id, seq, hash, status, code, reason FROM events
             WHERE event_id = ANY($1)",
        )?;
        for r in self.tx.query(&s, &[&ids])? {
            let id: String = r.get(0);
            let id = id
                .parse()
                .map_err(|e| HubError::Storage(format!("event id {id}: {e}")))?;
            self.known.insert(id, stored_from_row(&r, 1));
        }
        self.prefetched = true;
        Ok(())
    }

    fn flush(&mut self) -> HubResult<()> {
        self.flush_events()?;
        if !self.stock.is_empty() {
            let mut keys: [Vec<String>; 4] = Default::default();
            let mut qty: Vec<i64> = Vec::new();
            for ((location, sku, lot, status), delta) in std::mem::take(&mut self.stock) {
                for (column, value) in keys.iter_mut().zip([location, sku, lot, status]) {
                    column.push(value);
                }
                qty.push(delta);
            }
            self.exec(
                "INSERT INTO stock (location, sku, lot, status, qty)
                 SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[])
                 ON CONFLICT (location, sku, lot, status) DO UPDATE SET qty = stock.qty + excluded.qty",
                &[&keys[0], &keys[1], &keys[2], &keys[3], &qty],
            )?;
        }
        if !self.feed.is_empty() {
            let ids = std::mem::take(&mut self.feed);
            // In acceptance order: the feed's numbers follow the array's order.
            self.exec(
                "INSERT INTO feed (event_row)
                 SELECT e.id FROM unnest($1::text[]) WITH ORDINALITY AS u(event_id, ord)
                 JOIN events e ON e.event_id = u.event_id ORDER BY u.ord",
                &[&ids],
            )?;
        }
        Ok(())
    }

    fn held_at(&mut self, device_id: &str, seq: i64) -> HubResult<Option<Envelope>> {
        self.flush_events()?;
        let row = self.opt(
            "SELECT envelope FROM events WHERE device_id = $1 AND seq = $2 AND status = 'held'",
            &[&device_id, &seq],
        )?;
        Ok(match row {
            Some(r) => Some(serde_json::from_str(r.get(0))?),
            None => None,
        })
    }

    fn has_held(&mut self, device_id: &str) -> HubResult<bool> {
        self.exists(
            "SELECT EXISTS (SELECT 1 FROM events WHERE device_id = $1 AND status = 'held')",
            &[&device_id],
        )
    }

    fn seq_taken(&mut self, device_id: &str, seq: i64) -> HubResult<bool> {
        self.flush_events()?;
        self.exists(
            "SELECT EXISTS (SELECT 1 FROM events WHERE device_id = $1 AND seq = $2)",
            &[&device_id, &seq],
        )
    }

    fn insert(&mut self, e: &Envelope, j: &Judged, now: &str) -> HubResult<()> {
        let r = &mut self.rows;
        r.event_id.push(e.event_id.to_string());
        r.device_id.push(e.device_id.clone());
        r.seq.push(e.seq);
        r.event_type.push(e.event_type.clone());
        r.hash.push(e.hash.clone());
        r.envelope.push(serde_json::to_string(e)?);
        r.status.push(status_text(j.status).into());
        r.code.push(j.code.clone());
        r.reason.push(j.reason.clone());
        r.received_at.push(now.into());
        self.known.insert(
            e.event_id,
            StoredEvent {
                device_id: e.device_id.clone(),
                seq: e.seq,
                hash: e.hash.clone(),
                status: j.status,
                code: j.code.clone(),
                reason: j.reason.clone(),
            },
        );
        Ok(())
    }

    fn refuse(&mut self, e: &Envelope, code: &str, reason: &str, now: &str) -> HubResult<()> {
        self.exec(
            device_sql::REFUSAL,
            &[
                &e.device_id,
                &e.seq,
                &e.event_id.to_string(),
                &e.event_type,
                &code,
                &reason,
                &now,
            ],
        )?;
        Ok(())
    }

    fn bucket(&mut self, key: &BucketKey) -> HubResult<i64> {
        let stored = match self.buckets.get(key) {
            Some(q) => *q,
            None => {
                let q = self
                    .opt(
                        "SELECT qty FROM stock WHERE location = $1 AND sku = $2 AND lot = $3
                         AND status = $4",
                        &[&key.0, &key.1, &key.2, &key.3],
                    )?
                    .map_or(0, |r| r.get::<_, i64>(0));
                self.buckets.insert(key.clone(), q);
                q
            }
        };
        Ok(stored + self.stock.get(key).copied().unwrap_or(0))
    }

    fn delete_held(&mut self, event_id: &uuid::Uuid) -> HubResult<()> {
        self.flush_events()?;
        self.known.remove(event_id);
        self.exec(
            "DELETE FROM events WHERE event_id = $1 AND status = 'held'",
            &[&event_id.to_string()],
        )?;
        Ok(())
    }

    fn settle(&mut self, event_id: &uuid::Uuid, j: &Judged) -> HubResult<()> {
        self.flush_events()?;
        self.exec(
            "UPDATE events SET status = $2, code = $3, reason = $4 WHERE event_id = $1",
            &[
                &event_id.to_string(),
                &status_text(j.status),
                &j.code,
                &j.reason,
            ],
        )?;
        Ok(())
    }

    fn apply(&mut self, movements: &[EventMovement]) -> HubResult<()> {
        for m in movements {
            *self
                .stock
                .entry((
                    m.location.clone(),
                    m.sku.clone(),
                    m.lot.clone(),
                    m.status.to_string(),
                ))
                .or_default() += m.delta;
        }
        Ok(())
    }

    fn append_feed(&mut self, event_id: &uuid::Uuid) -> HubResult<()> {
        self.feed.push(event_id.to_string());
        Ok(())
    }

    fn has_catalog(&mut self) -> HubResult<bool> {
        self.exists(
            "SELECT EXISTS (SELECT 1 FROM master WHERE kind = 'item')",
            &[],
        )
    }

    fn sku_known(&mut self, sku: &str) -> HubResult<bool> {
        if let Some(known) = self.skus.get(sku) {
            return Ok(*known);
        }
        let known = self.exists(
            "SELECT EXISTS (SELECT 1 FROM master WHERE kind = 'item' AND key = $1)",
            &[&sku],
        )?;
        self.skus.insert(sku.to_string(), known);
        Ok(known)
    }
}

impl ImportTx for PgTx<'_, '_> {
    fn current(&mut self, kind: &str, key: &str) -> HubResult<Option<String>> {
        Ok(self
            .opt(
                "SELECT data FROM master WHERE kind = $1 AND key = $2",
                &[&kind, &key],
            )?
            .map(|r| r.get(0)))
    }

    fn upsert(&mut self, kind: &str, key: &str, data: &str) -> HubResult<()> {
        self.exec(
            "INSERT INTO master (kind, key, data) VALUES ($1, $2, $3)
             ON CONFLICT (kind, key) DO UPDATE SET data = excluded.data",
            &[&kind, &key, &data],
        )?;
        self.exec(
            "INSERT INTO changes (kind, key, data) VALUES ($1, $2, $3)",
            &[&kind, &key, &data],
        )?;
        Ok(())
    }

    fn all(&mut self, kind: &str) -> HubResult<Vec<(String, String)>> {
        let s = self.prepared("SELECT key, data FROM master WHERE kind = $1 ORDER BY key")?;
        Ok(self
            .tx
            .query(&s, &[&kind])?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect())
    }
}

impl HubStore for PostgresStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    fn ping(&self) -> HubResult<()> {
        self.with(|c| Ok(c.simple_query("SELECT 1").map(|_| ())?))
    }

    fn register(&self, g: &TokenGrant) -> HubResult<()> {
        self.in_tx(|pg| {
            // FOR UPDATE through the row lock of the upsert below: two grants of one id serialise.
            let existing = pg
                .opt(device_sql::DEVICE, &[&g.device_id])?
                .map(|r| r.get::<_, bool>(0));
            let mode = admission(g, existing)?;
            pg.exec(device_sql::UPSERT, &[&g.device_id, &g.name, &g.issued_at])?;
            if g.public_key.is_some() || mode == GrantMode::Replace {
                pg.exec(position_sql::SET_KEY, &[&g.public_key, &g.device_id])?;
            }
            match mode {
                GrantMode::Replace => {
                    pg.exec(device_sql::DELETE_TOKENS, &[&g.device_id])?;
                }
                GrantMode::Renew => {
                    pg.exec(
                        device_sql::PRUNE_TOKENS,
                        &[&g.device_id, &g.issued_at, &(TOKENS_KEPT - 1)],
                    )?;
                }
                GrantMode::New => {}
            }
            pg.exec(
                device_sql::INSERT_TOKEN,
                &[&g.token_hash, &g.device_id, &g.expires_at, &g.issued_at],
            )?;
            Ok(())
        })
    }

    fn revoke_device(&self, device_id: &str, now: &str) -> HubResult<usize> {
        self.in_tx(|pg| {
            if pg.exec(device_sql::REVOKE, &[&now, &device_id])? == 0 {
                return Err(HubError::UnknownDevice(device_id.into()));
            }
            Ok(pg.exec(device_sql::DELETE_TOKENS, &[&device_id])? as usize)
        })
    }

    fn revoke_tokens(&self, device_id: &str) -> HubResult<usize> {
        self.in_tx(|pg| {
            if pg.opt(device_sql::DEVICE, &[&device_id])?.is_none() {
                return Err(HubError::UnknownDevice(device_id.into()));
            }
            Ok(pg.exec(device_sql::DELETE_TOKENS, &[&device_id])? as usize)
        })
    }

    fn housekeep(&self, now: &str) -> HubResult<Housekeeping> {
        self.in_tx(|pg| {
            let mut over = |status: &str, limit: i64| -> HubResult<Vec<(String, i64)>> {
                let s = pg.prepared(device_sql::OVER)?;
                Ok(pg
                    .tx
                    .query(&s, &[&status, &limit])?
                    .iter()
                    .map(|r| (r.get(0), r.get(1)))
                    .collect())
            };
            let devices_holding = over("held", HELD_ALERT)?;
            let devices_rejected = over("rejected", REJECTED_ALERT)?;
            Ok(Housekeeping {
                expired_tokens: pg.exec(device_sql::EXPIRED_TOKENS, &[&now])?,
                refusals: pg.exec(device_sql::OLD_REFUSALS, &[&REFUSALS_KEPT])?,
                rejected_bodies: pg.exec(device_sql::OLD_REJECTED, &[&REJECTED_BODIES_KEPT])?,
                devices_holding,
                devices_rejected,
            })
        })
    }

    fn token(&self, token_hash: &str) -> HubResult<Option<(String, String)>> {
        Ok(self
            .query(
                "SELECT device_id, expires_at FROM tokens WHERE token_hash = $1",
                &[&token_hash],
            )?
            .first()
            .map(|r| (r.get(0), r.get(1))))
    }

    fn intake(
        &self,
        device_id: &str,
        events: &[Envelope],
        now: &str,
        signed_only: bool,
    ) -> HubResult<IntakeResult> {
        self.in_tx(|pg| intake::run(pg, device_id, events, now, signed_only))
    }

    fn enrol_key(&self, device_id: &str, public_key: &str) -> HubResult<()> {
        self.in_tx(|pg| {
            let Some(row) = pg.opt(
                "SELECT public_key FROM devices WHERE device_id = $1 FOR UPDATE",
                &[&device_id],
            )?
            else {
                return Err(HubError::UnknownDevice(device_id.into()));
            };
            let recorded: Option<String> = row.get(0);
            enrolment(device_id, public_key, recorded.as_deref())?;
            pg.exec(position_sql::ENROL, &[&public_key, &device_id])?;
            Ok(())
        })
    }

    fn accept_fork(&self, device_id: &str) -> HubResult<()> {
        self.in_tx(|pg| {
            if pg.exec(position_sql::ACCEPT_FORK, &[&device_id])? == 1 {
                return Ok(());
            }
            let held = pg
                .opt(position_sql::HELD, &[&device_id])?
                .map(|r| r.get::<_, Option<String>>(0));
            Err(fork_refusal(device_id, held))
        })
    }

    fn import(&self, data: &Import) -> HubResult<ImportResult> {
        let data = import::prepare(data)?;
        self.in_tx(|pg| import::run(pg, &data))
    }

    fn changes(&self, after: i64, limit: usize) -> HubResult<Vec<(i64, Change)>> {
        let rows = self.query(
            "SELECT change_seq, kind, key, data FROM changes WHERE change_seq > $1
             ORDER BY change_seq LIMIT $2",
            &[&after, &(limit as i64)],
        )?;
        rows.iter()
            .map(|r| {
                let kind: String = r.get(1);
                Ok((
                    r.get(0),
                    Change {
                        kind: ChangeKind::parse(&kind).ok_or_else(|| {
                            HubError::Storage(format!("unknown change kind {kind}"))
                        })?,
                        op: "upsert".into(),
                        key: r.get(2),
                        data: serde_json::from_str(r.get(3))?,
                    },
                ))
            })
            .collect()
    }

    fn feed(&self, after: i64, limit: usize) -> HubResult<Vec<FeedEvent>> {
        let rows = self.query(FEED_PAGE, &[&after, &(limit as i64), &FEED_PAGE_BYTES])?;
        feed_events(&rows)
    }

    fn stock(&self) -> HubResult<Vec<StockLine>> {
        let rows = self.query(
            "SELECT location, sku, lot, status, qty FROM stock WHERE qty <> 0
             ORDER BY location, sku, lot, status",
            &[],
        )?;
        Ok(rows
            .iter()
            .map(|r| StockLine {
                location: r.get(0),
                sku: r.get(1),
                lot: r.get(2),
                status: r.get(3),
                quantity: r.get(4),
            })
            .collect())
    }

    fn exceptions(&self) -> HubResult<Vec<HubException>> {
        self.query(device_sql::EXCEPTIONS, &[])?
            .iter()
            .map(|r| {
                exception_of((
                    r.get(0),
                    r.get(1),
                    r.get(2),
                    r.get(3),
                    r.get(4),
                    r.get(5),
                    r.get(6),
                ))
            })
            .collect()
    }

    fn devices(&self) -> HubResult<Vec<DeviceStatus>> {
        let rows = self.query(device_sql::DEVICES, &[])?;
        Ok(rows
            .iter()
            .map(|r| DeviceStatus {
                device_id: r.get(0),
                contiguous_seq: r.get(1),
                held: r.get(2),
                rejected: r.get(3),
                last_seen: r.get(4),
                signed: r.get(5),
                held_for_supervisor: r.get(6),
            })
            .collect())
    }

    fn erp_cursor(&self, erp: &str) -> HubResult<i64> {
        Ok(self
            .with(|c| Ok(c.query_one(erp_sql::CURSOR, &[&erp])?))?
            .get(0))
    }

    fn erp_record(&self, erp: &str, post: &ErpPost) -> HubResult<()> {
        let (status, documents, code, message) = erp_columns(&post.outcome);
        self.with(|client| {
            let mut tx = client.transaction()?;
            tx.execute(
                erp_sql::RECORD,
                &[
                    &erp,
                    &post.feed_seq,
                    &post.event_id,
                    &post.event_type,
                    &post.device_id,
                    &status,
                    &documents,
                    &code,
                    &message,
                    &post.at,
                ],
            )?;
            tx.execute(erp_sql::CLEAR, &[&erp, &post.at])?;
            tx.commit()?;
            Ok(())
        })
    }

    fn erp_retrying(&self, erp: &str, message: &str, now: &str) -> HubResult<()> {
        self.with(|c| Ok(c.execute(erp_sql::RETRYING, &[&erp, &message, &now])?))?;
        Ok(())
    }

    fn erp_status(&self, erp: &str) -> HubResult<ErpStatus> {
        let cursor = self.erp_cursor(erp)?;
        let feed = self.with(|c| Ok(c.query_one(erp_sql::FEED, &[&cursor])?))?;
        let totals = self.with(|c| Ok(c.query_one(erp_sql::TOTALS, &[&erp])?))?;
        let held = self.with(|c| Ok(c.query_one(erp_sql::HELD, &[&erp])?))?;
        let lease = self.query(erp_sql::LEASE_HOLDER, &[&erp])?;
        let failures = self
            .query(erp_sql::FAILURES, &[&erp])?
            .iter()
            .map(|r| {
                erp_post_of(
                    r.get(0),
                    (r.get(1), r.get(2), r.get(3)),
                    r.get(4),
                    r.get(5),
                    (r.get(6), r.get(7)),
                    r.get(8),
                )
            })
            .collect();
        Ok(ErpStatus {
            erp: erp.to_string(),
            cursor,
            feed_head: feed.get(0),
            pending: feed.get(1),
            oldest_pending_since: feed.get(2),
            posted: totals.get(0),
            failed: totals.get(1),
            held: held.get(0),
            oldest_held_since: held.get(1),
            posting_instance: lease.first().map(|r| r.get(0)),
            posting_lease_until: lease.first().map(|r| r.get(1)),
            last_posted_at: totals.get(2),
            last_error: totals.get(3),
            last_error_at: totals.get(4),
            failures,
            last_pulled_at: totals.get(5),
        })
    }

    fn erp_pull_cursor(&self, erp: &str) -> HubResult<Option<String>> {
        let rows = self.query(erp_sql::PULL_CURSOR, &[&erp])?;
        Ok(rows.first().and_then(|r| r.get(0)))
    }

    fn erp_pulled(
        &self,
        erp: &str,
        data: &Import,
        cursor: &str,
        now: &str,
    ) -> HubResult<ImportResult> {
        self.in_tx(|pg| {
            let result = import::run(pg, data)?;
            pg.exec(erp_sql::SET_PULL_CURSOR, &[&erp, &now, &cursor])?;
            Ok(result)
        })
    }

    fn master_row(&self, kind: &str, key: &str) -> HubResult<Option<String>> {
        let rows = self.query(erp_sql::MASTER_ROW, &[&kind, &key])?;
        Ok(rows.first().map(|r| r.get(0)))
    }

    fn erp_lease(&self, erp: &str, holder: &str, until: &str, now: &str) -> HubResult<bool> {
        let changed =
            self.with(|c| Ok(c.execute(erp_sql::LEASE, &[&erp, &holder, &until, &now])?))?;
        Ok(changed == 1)
    }

    fn erp_carried_by(&self, erp: &str, document: &str) -> HubResult<Vec<FeedEvent>> {
        let rows = self.query(erp_sql::CARRIED_BY, &[&erp, &document])?;
        feed_events(&rows)
    }

    fn raw_insert(&self, events: &[Envelope], batch: usize, now: &str) -> HubResult<()> {
        for chunk in events.chunks(batch.max(1)) {
            self.in_tx(|tx| {
                let judged = crate::store::accepted();
                for event in chunk {
                    IntakeTx::insert(tx, event, &judged, now)?;
                }
                IntakeTx::flush(tx)
            })?;
        }
        Ok(())
    }
}

/// Feed events from rows of (feed position, received at, envelope).
fn feed_events(rows: &[postgres::Row]) -> HubResult<Vec<FeedEvent>> {
    rows.iter()
        .map(|r| {
            Ok(FeedEvent {
                hub_seq: r.get(0),
                received_at: r.get(1),
                event: serde_json::from_str(r.get(2))?,
            })
        })
        .collect()
}
