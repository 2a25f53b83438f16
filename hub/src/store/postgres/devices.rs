//! Device sync on PostgreSQL.

use dockhand_protocol::events::EventMovement;
use dockhand_protocol::sync::{
    CountReconciled, DeviceStatus, Envelope, EventStatus, HeldCount, HubEventKind, HubException,
    IntakeResult,
};

use super::{PgTx, PostgresStore, stored_from_row};
use crate::error::{HubError, HubResult};
use crate::intake;
use crate::store::{
    BucketKey, CLOCK_ALERT_MS, Conflict, DeviceSync, GrantMode, HELD_ALERT, Housekeeping, IntakeTx,
    Judged, Position, REFUSALS_KEPT, REJECTED_ALERT, REJECTED_BODIES_KEPT, StoredEvent,
    TOKENS_KEPT, TokenGrant, Unzip3, admission, check_site_id, count_reconciled, device_sql,
    enrolment, exception_of, fork_refusal, held_count, hub_event_sql, intake_sql, position_sql,
    site_of, status_text, stock_sql,
};

impl IntakeTx for PgTx<'_, '_> {
    fn position(&mut self, device_id: &str) -> HubResult<Position> {
        // FOR UPDATE: two hub instances taking the same device's batches serialise here. What
        // intake asks next goes in the same flight as a statement of its own, so it reads on a
        // snapshot taken once the device's row is locked (another instance's push of this
        // device has committed by then).
        let (row, next) = self.tx.opt_then_one(
            (position_sql::READ_LOCKED, &[&device_id]),
            (AFTER_POSITION, &[&device_id]),
        )?;
        self.catalog = Some(next.get(0));
        self.held_events = Some(next.get(1));
        self.counts_held |= next.get::<_, bool>(2);
        let position = row.map_or_else(Position::default, |r| {
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
                site: r.get(7),
                clock_skew_ms: r.get(8),
                shares_stock: r.get::<_, Option<String>>(9).is_some(),
            }
        });
        // The batch moves the stock of the device's site.
        self.site = position.site.clone();
        Ok(position)
    }

    fn set_position(&mut self, device_id: &str, p: &Position, now: &str) -> HubResult<()> {
        let (code, reason, since) = p.held.clone().unzip3();
        // Goes out with the next statement: before the site's lock, in the same round trip.
        self.tx.defer(
            position_sql::WRITE,
            vec![
                Box::new(p.contiguous_seq),
                Box::new(p.last_hash.clone()),
                Box::new(now.to_string()),
                Box::new(code),
                Box::new(reason),
                Box::new(since),
                Box::new(i64::from(p.accept_fork)),
                Box::new(device_id.to_string()),
            ],
        )
    }

    fn stored(&mut self, event_id: &uuid::Uuid) -> HubResult<Option<StoredEvent>> {
        if self.prefetched {
            return Ok(self.known.get(event_id).cloned());
        }
        let id = event_id.to_string();
        let row = self.opt(intake_sql::STORED, &[&id])?;
        Ok(row.map(|r| stored_from_row(&r, 0)))
    }

    fn stored_earlier(&mut self, event_id: &uuid::Uuid) -> HubResult<Option<StoredEvent>> {
        if let Some(known) = self.known.get(event_id) {
            return Ok(Some(known.clone()));
        }
        let id = event_id.to_string();
        let row = self.opt(intake_sql::STORED, &[&id])?;
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
        self.flush_moves()?;
        if self.stock.is_empty() && self.feed.is_empty() {
            return Ok(());
        }
        // One statement takes the site's lock, numbers from the stock clock (whose row stays
        // locked until commit: numbers become visible in order) and appends the stock and the
        // feed. It goes out with what follows it, COMMIT in a push without count lines held, so
        // from the lock to the commit the database does not wait for the hub.
        let count = i64::try_from(self.stock.len()).unwrap_or(i64::MAX);
        let mut keys: [Vec<String>; 6] = Default::default();
        let mut qty: Vec<i64> = Vec::new();
        let mut takers: Vec<String> = Vec::new();
        let mut taken = std::mem::take(&mut self.takers);
        for (key, delta) in std::mem::take(&mut self.stock) {
            takers.push(taken.remove(&key).unwrap_or_default());
            for (column, value) in keys.iter_mut().zip(key.into_columns()) {
                column.push(value);
            }
            qty.push(delta);
        }
        // In acceptance order: the feed's numbers follow the array's order.
        let (ids, times): (Vec<String>, Vec<String>) =
            std::mem::take(&mut self.feed).into_iter().unzip();
        let [location, sku, lot, serial, lpn, status] = keys;
        self.tx.defer(
            LOCK_NUMBER_APPEND,
            vec![
                Box::new(self.site.clone()),
                Box::new(location),
                Box::new(sku),
                Box::new(lot),
                Box::new(serial),
                Box::new(lpn),
                Box::new(status),
                Box::new(qty),
                Box::new(takers),
                Box::new(ids),
                Box::new(times),
                Box::new(super::site_lock_key(&self.site)),
                Box::new(count),
            ],
        )?;
        self.site_locked = true;
        self.clock_held = true;
        Ok(())
    }

    fn held_at(&mut self, device_id: &str, seq: i64) -> HubResult<Option<Envelope>> {
        self.flush_events()?;
        let row = self.opt(intake_sql::HELD_AT, &[&device_id, &seq])?;
        Ok(match row {
            Some(r) => Some(serde_json::from_str(r.get(0))?),
            None => None,
        })
    }

    fn has_held(&mut self, device_id: &str) -> HubResult<bool> {
        if let Some(held) = self.held_events.take() {
            return Ok(held);
        }
        // In the same round trip: whether the site has count lines held (see
        // `counts_may_be_held`).
        let site = self.site.clone();
        let row = self.one(HELD_EVENTS_AND_COUNTS, &[&device_id, &site])?;
        self.counts_held |= row.get::<_, bool>(1);
        Ok(row.get(0))
    }

    fn counts_may_be_held(&mut self) -> HubResult<bool> {
        Ok(self.counts_held)
    }

    fn seq_taken(&mut self, device_id: &str, seq: i64) -> HubResult<bool> {
        self.flush_events()?;
        self.exists(intake_sql::SEQ_TAKEN, &[&device_id, &seq])
    }

    fn insert(&mut self, e: &Envelope, j: &Judged, now: &str) -> HubResult<()> {
        // What was read with the position no longer holds once events are written.
        (self.catalog, self.held_events) = (None, None);
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
        // What was read with the position no longer holds once events are written.
        (self.catalog, self.held_events) = (None, None);
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
                let site = self.site.clone();
                let columns = key.at(&site);
                let q = self
                    .opt(intake_sql::BUCKET, &columns.each_ref().map(|c| c as _))?
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
        self.exec(intake_sql::DELETE_HELD, &[&event_id.to_string()])?;
        Ok(())
    }

    fn settle(&mut self, event_id: &uuid::Uuid, j: &Judged) -> HubResult<()> {
        self.flush_events()?;
        self.exec(
            intake_sql::SETTLE,
            &[
                &status_text(j.status),
                &j.code,
                &j.reason,
                &event_id.to_string(),
            ],
        )?;
        Ok(())
    }

    fn apply(&mut self, movements: &[EventMovement], taker: &str) -> HubResult<()> {
        for m in movements {
            let key = BucketKey::from(m);
            if m.delta < 0 && !taker.is_empty() {
                self.takers.insert(key.clone(), taker.to_string());
            }
            *self.stock.entry(key).or_default() += m.delta;
        }
        if !taker.is_empty() {
            let site = self.site.clone();
            for m in movements.iter().filter(|m| !m.lpn.is_empty()) {
                self.exec(stock_sql::RECORD_LPN, &[&site, &m.lpn, &taker])?;
            }
        }
        Ok(())
    }

    fn last_taker(&mut self, key: &BucketKey) -> HubResult<String> {
        if let Some(taker) = self.takers.get(key) {
            return Ok(taker.clone());
        }
        let site = self.site.clone();
        let columns = key.at(&site);
        Ok(self
            .opt(stock_sql::LAST_TAKER, &columns.each_ref().map(|c| c as _))?
            .map(|r| r.get(0))
            .unwrap_or_default())
    }

    fn note_lot_expiry(&mut self, sku: &str, lot: &str, expiry: &str) -> HubResult<()> {
        crate::store::ImportTx::set_lot_expiry(self, sku, lot, expiry)
    }

    fn record_conflict(&mut self, c: &Conflict, task: &str) -> HubResult<()> {
        let site = self.site.clone();
        let [site, location, sku, lot, serial, lpn, status] = c.key.at(&site);
        let now = crate::now_text();
        self.exec(
            stock_sql::CONFLICT,
            &[
                &site,
                &location,
                &sku,
                &lot,
                &serial,
                &lpn,
                &status,
                &c.quantity,
                &c.event_id,
                &c.event_type,
                &c.device_id,
                &c.seq,
                &c.other_event_id,
                &c.count_task,
                &c.reason,
                &now,
            ],
        )?;
        crate::store::ImportTx::upsert(
            self,
            dockhand_protocol::sync::ChangeKind::CountTask.as_str(),
            &c.count_task,
            task,
        )
    }

    fn append_feed(&mut self, event_id: &uuid::Uuid, now: &str) -> HubResult<()> {
        self.feed.push((event_id.to_string(), now.to_string()));
        Ok(())
    }

    fn has_catalog(&mut self) -> HubResult<bool> {
        if let Some(catalog) = self.catalog.take() {
            return Ok(catalog);
        }
        self.exists(intake_sql::HAS_CATALOG, &[])
    }

    fn refused(&mut self, event_id: &uuid::Uuid) -> HubResult<Option<(i64, String)>> {
        // This batch's verdicts are buffered until `flush`; earlier ones are in the table.
        if let Some(known) = self.known.get(event_id) {
            return Ok((known.status == EventStatus::Rejected)
                .then(|| (known.seq, known.code.clone().unwrap_or_default())));
        }
        let id = event_id.to_string();
        Ok(self
            .opt(intake_sql::REFUSED, &[&id])?
            .map(|r| (r.get(0), r.get(1))))
    }

    fn sku_known(&mut self, sku: &str) -> HubResult<bool> {
        if let Some(known) = self.skus.get(sku) {
            return Ok(*known);
        }
        let known = self.exists(intake_sql::SKU_KNOWN, &[&sku])?;
        self.skus.insert(sku.to_string(), known);
        Ok(known)
    }
}

impl DeviceSync for PostgresStore {
    fn register(&self, g: &TokenGrant) -> HubResult<()> {
        self.in_tx(|pg| {
            // FOR UPDATE through the row lock of the upsert below: two grants of one id serialise.
            let existing = pg
                .opt(device_sql::DEVICE, &[&g.device_id])?
                .map(|r| r.get::<_, bool>(0));
            let mode = admission(g, existing)?;
            let s = pg.prepared(device_sql::SITES)?;
            let sites: Vec<String> = pg.tx.query(&s, &[])?.iter().map(|r| r.get(0)).collect();
            let current: Option<String> =
                pg.opt(device_sql::SITE, &[&g.device_id])?.map(|r| r.get(0));
            let site = site_of(g, &sites, current.as_deref())?;
            pg.exec(
                device_sql::UPSERT,
                &[&g.device_id, &g.name, &g.issued_at, &site],
            )?;
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
            let s = pg.prepared(device_sql::CLOCK_OFF)?;
            let devices_clock_off = pg
                .tx
                .query(&s, &[&CLOCK_ALERT_MS])?
                .iter()
                .map(|r| (r.get(0), r.get(1)))
                .collect();
            Ok(Housekeeping {
                expired_tokens: pg.exec(device_sql::EXPIRED_TOKENS, &[&now])?,
                refusals: pg.exec(device_sql::OLD_REFUSALS, &[&REFUSALS_KEPT])?,
                rejected_bodies: pg.exec(device_sql::OLD_REJECTED, &[&REJECTED_BODIES_KEPT])?,
                devices_holding,
                devices_rejected,
                devices_clock_off,
            })
        })
    }

    fn token(&self, token_hash: &str) -> HubResult<Option<(String, String)>> {
        Ok(self
            .query(intake_sql::TOKEN, &[&token_hash])?
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
            let Some(row) = pg.opt(position_sql::KEY_LOCKED, &[&device_id])? else {
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
                clock_skew_ms: r.get(7),
                clock_checked_at: r.get(8),
                site: r.get(9),
                name: r.get(10),
                revoked_at: r.get(11),
                app: r.get(12),
                pending: r.get(13),
                operator: r.get(14),
                reported_at: r.get(15),
            })
            .collect())
    }

    fn add_site(&self, site_id: &str, name: &str, now: &str) -> HubResult<bool> {
        check_site_id(site_id)?;
        self.in_tx(|pg| Ok(pg.exec(device_sql::ADD_SITE, &[&site_id, &name, &now])? == 1))
    }

    fn reconciled_counts(&self, site: &str) -> HubResult<Vec<CountReconciled>> {
        let kind = HubEventKind::CountReconciliation.as_str();
        self.query(hub_event_sql::OF_KIND, &[&site, &kind])?
            .iter()
            .map(|r| count_reconciled((r.get(0), r.get(1), r.get(2), r.get(3))))
            .collect()
    }

    fn held_counts(&self, site: &str) -> HubResult<Vec<HeldCount>> {
        self.in_tx(|pg| {
            pg.site = site.to_string();
            let held = crate::store::ReconcileTx::held_counts(pg, None, None)?;
            Ok(held.into_iter().map(held_count).collect())
        })
    }

    fn release_counts(
        &self,
        site: &str,
        task: Option<&str>,
        by: &str,
        now: &str,
    ) -> HubResult<Vec<HeldCount>> {
        self.in_tx(|pg| {
            pg.site = site.to_string();
            let released = crate::reconcile::release_held(pg, task, by, now)?;
            Ok(released.into_iter().map(held_count).collect())
        })
    }

    fn device_synced(&self, device_id: &str, now: &str) -> HubResult<()> {
        self.in_tx(|pg| {
            pg.exec(device_sql::SYNCED, &[&now, &device_id])?;
            if let Some(row) = pg.opt(device_sql::SITE, &[&device_id])? {
                pg.site = row.get(0);
                crate::reconcile::release_due(pg, now)?;
            }
            Ok(())
        })
    }

    fn stock_pulled(&self, device_id: &str, now: &str) -> HubResult<()> {
        self.with(|c| c.execute(device_sql::STOCK_PULLED, &[&now, &device_id]))?;
        Ok(())
    }

    fn device_site(&self, device_id: &str) -> HubResult<Option<String>> {
        Ok(self
            .query(device_sql::SITE, &[&device_id])?
            .first()
            .map(|r| r.get(0)))
    }

    fn sites(&self) -> HubResult<Vec<String>> {
        Ok(self
            .query(device_sql::SITES, &[])?
            .iter()
            .map(|r| r.get(0))
            .collect())
    }

    fn clock_checked(&self, device_id: &str, skew_ms: i64, now: &str) -> HubResult<()> {
        self.with(|c| c.execute(device_sql::CLOCK, &[&skew_ms, &now, &device_id]))?;
        Ok(())
    }
}

/// What intake asks after device $1's position, in the same flight: [`intake_sql::HAS_CATALOG`],
/// [`intake_sql::HAS_HELD`], and whether the device's site has count lines held.
const AFTER_POSITION: &str =
    "SELECT EXISTS (SELECT 1 FROM master WHERE site = '' AND kind = 'item'),
        EXISTS (SELECT 1 FROM events WHERE device_id = $1 AND status = 'held'),
        EXISTS (SELECT 1 FROM count_observations WHERE erp_state = 'held'
                AND site = (SELECT site_id FROM devices WHERE device_id = $1))";

/// [`intake_sql::HAS_HELD`] of device $1, and whether site $2 has count lines held.
const HELD_EVENTS_AND_COUNTS: &str =
    "SELECT EXISTS (SELECT 1 FROM events WHERE device_id = $1 AND status = 'held'),
            EXISTS (SELECT 1 FROM count_observations WHERE site = $2 AND erp_state = 'held')";

/// Takes site $1's lock (key $12) and $13 numbers from the stock clock, then adds the stock
/// deltas ($2–$9: location, sku, lot, serial, lpn, status, qty, taker; numbered in array order)
/// and appends the accepted events ($10, made at $11) to the site's ERP feed, in that order.
///
/// The lock and the clock are [`site_then_clock!`]'s, in its order; every row written joins
/// `taken`, so none is written before both are held. Without the clock's row the statement fails with the reason
/// (a cast of it to an integer) instead of writing nothing.
const LOCK_NUMBER_APPEND: &str = concat!(
    site_then_clock!("$12", "$13"),
    ", taken AS MATERIALIZED (
        SELECT (SELECT last FROM clock) AS last,
               CAST((SELECT CASE WHEN count(*) = 0 THEN
                   'the stock clock''s row (stock_clock, singleton 1) is missing: the hub''s schema is incomplete'
                   END FROM clock) AS bigint) AS missing),
    stocked AS (
        INSERT INTO stock (site, location, sku, lot, serial, lpn, status, qty, change_seq,
                           last_taker)
        SELECT $1::text, u.location, u.sku, u.lot, u.serial, u.lpn, u.status, u.qty,
               taken.last - $13 + u.ord, u.taker
        FROM taken, unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                           $7::text[], $8::bigint[], $9::text[])
             WITH ORDINALITY AS u(location, sku, lot, serial, lpn, status, qty, taker, ord)
        ON CONFLICT (site, location, sku, lot, serial, lpn, status)
        DO UPDATE SET qty = stock.qty + excluded.qty, change_seq = excluded.change_seq,
        last_taker = CASE WHEN excluded.last_taker = '' THEN stock.last_taker
                          ELSE excluded.last_taker END)
    INSERT INTO feed (event_row, site, made_at)
    SELECT e.id, $1::text, u.made_at
    FROM taken, unnest($10::text[], $11::text[]) WITH ORDINALITY AS u(event_id, made_at, ord)
         JOIN events e ON e.event_id = u.event_id
    ORDER BY u.ord"
);
