//! Device sync on SQLite.

use dockhand_protocol::events::EventMovement;
use dockhand_protocol::sync::{
    CountReconciled, DeviceStatus, Envelope, HeldCount, HubEventKind, HubException, IntakeResult,
};
use rusqlite::OptionalExtension;

use super::{SqliteStore, Tx};
use crate::error::{HubError, HubResult};
use crate::intake;
use crate::store::{
    BucketKey, CLOCK_ALERT_MS, Conflict, DeviceSync, GrantMode, HELD_ALERT, Housekeeping, IntakeTx,
    Judged, Position, REFUSALS_KEPT, REJECTED_ALERT, REJECTED_BODIES_KEPT, StoredEvent,
    TOKENS_KEPT, TokenGrant, Unzip3, admission, check_site_id, count_reconciled, device_sql,
    enrolment, exception_of, fork_refusal, held_count, hub_event_sql, intake_sql, position_sql,
    site_of, status_of, status_text,
};

impl IntakeTx for Tx<'_> {
    fn position(&mut self, device_id: &str) -> HubResult<Position> {
        let position: Position = self
            .c
            .prepare_cached(position_sql::READ)?
            .query_row([device_id], |r| {
                let held = match (r.get(3)?, r.get(4)?, r.get(5)?) {
                    (Some(code), Some(reason), Some(since)) => Some((code, reason, since)),
                    _ => None,
                };
                Ok(Position {
                    contiguous_seq: r.get(0)?,
                    last_hash: r.get(1)?,
                    public_key: r.get(2)?,
                    held,
                    accept_fork: r.get::<_, i64>(6)? != 0,
                    site: r.get(7)?,
                    clock_skew_ms: r.get(8)?,
                    shares_stock: r.get::<_, Option<String>>(9)?.is_some(),
                })
            })
            .optional()?
            .unwrap_or_default();
        // The batch moves the stock of the device's site.
        self.site = position.site.clone();
        Ok(position)
    }

    fn set_position(&mut self, device_id: &str, p: &Position, now: &str) -> HubResult<()> {
        let (code, reason, since) = p.held.clone().unzip3();
        self.c
            .prepare_cached(position_sql::WRITE)?
            .execute(rusqlite::params![
                p.contiguous_seq,
                &p.last_hash,
                now,
                code,
                reason,
                since,
                i64::from(p.accept_fork),
                device_id,
            ])?;
        Ok(())
    }

    fn stored(&mut self, event_id: &uuid::Uuid) -> HubResult<Option<StoredEvent>> {
        Ok(self
            .c
            .prepare_cached(intake_sql::STORED)?
            .query_row([event_id.to_string()], |r| {
                Ok(StoredEvent {
                    device_id: r.get(0)?,
                    seq: r.get(1)?,
                    hash: r.get(2)?,
                    status: status_of(&r.get::<_, String>(3)?),
                    code: r.get(4)?,
                    reason: r.get(5)?,
                })
            })
            .optional()?)
    }

    fn held_at(&mut self, device_id: &str, seq: i64) -> HubResult<Option<Envelope>> {
        let text: Option<String> = self
            .c
            .prepare_cached(intake_sql::HELD_AT)?
            .query_row((device_id, seq), |r| r.get(0))
            .optional()?;
        Ok(match text {
            Some(t) => Some(serde_json::from_str(&t)?),
            None => None,
        })
    }

    fn has_held(&mut self, device_id: &str) -> HubResult<bool> {
        Ok(self
            .c
            .prepare_cached(intake_sql::HAS_HELD)?
            .query_row([device_id], |r| r.get(0))?)
    }

    fn seq_taken(&mut self, device_id: &str, seq: i64) -> HubResult<bool> {
        Ok(self
            .c
            .prepare_cached(intake_sql::SEQ_TAKEN)?
            .query_row((device_id, seq), |r| r.get(0))?)
    }

    fn insert(&mut self, e: &Envelope, j: &Judged, now: &str) -> HubResult<()> {
        self.c
            .prepare_cached(
                "INSERT INTO events (event_id, device_id, seq, event_type, hash, envelope, status,
                                     code, reason, received_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute((
                e.event_id.to_string(),
                &e.device_id,
                e.seq,
                &e.event_type,
                &e.hash,
                serde_json::to_string(e)?,
                status_text(j.status),
                &j.code,
                &j.reason,
                now,
            ))?;
        Ok(())
    }

    fn refuse(&mut self, e: &Envelope, code: &str, reason: &str, now: &str) -> HubResult<()> {
        self.c.prepare_cached(device_sql::REFUSAL)?.execute((
            &e.device_id,
            e.seq,
            e.event_id.to_string(),
            &e.event_type,
            code,
            reason,
            now,
        ))?;
        Ok(())
    }

    fn bucket(&mut self, key: &BucketKey) -> HubResult<i64> {
        Ok(self
            .c
            .prepare_cached(intake_sql::BUCKET)?
            .query_row(rusqlite::params_from_iter(key.at(&self.site)), |r| r.get(0))
            .optional()?
            .unwrap_or(0))
    }

    fn delete_held(&mut self, event_id: &uuid::Uuid) -> HubResult<()> {
        self.c
            .prepare_cached(intake_sql::DELETE_HELD)?
            .execute([event_id.to_string()])?;
        Ok(())
    }

    fn settle(&mut self, event_id: &uuid::Uuid, j: &Judged) -> HubResult<()> {
        self.c.prepare_cached(intake_sql::SETTLE)?.execute((
            status_text(j.status),
            &j.code,
            &j.reason,
            event_id.to_string(),
        ))?;
        Ok(())
    }

    fn apply(&mut self, movements: &[EventMovement], taker: &str) -> HubResult<()> {
        super::stock::apply(self, movements, taker)
    }

    fn last_taker(&mut self, key: &BucketKey) -> HubResult<String> {
        super::stock::last_taker(self, key)
    }

    fn record_conflict(&mut self, conflict: &Conflict, task: &str) -> HubResult<()> {
        super::stock::record_conflict(self, conflict, task)
    }

    fn note_lot_expiry(&mut self, sku: &str, lot: &str, expiry: &str) -> HubResult<()> {
        crate::store::ImportTx::set_lot_expiry(self, sku, lot, expiry)
    }

    fn append_feed(&mut self, event_id: &uuid::Uuid, now: &str) -> HubResult<()> {
        self.c
            .prepare_cached(
                "INSERT INTO feed (event_row, site, made_at)
                 SELECT id, ?1, ?2 FROM events WHERE event_id = ?3",
            )?
            .execute([self.site.as_str(), now, &event_id.to_string()])?;
        Ok(())
    }

    fn has_catalog(&mut self) -> HubResult<bool> {
        Ok(self
            .c
            .prepare_cached(intake_sql::HAS_CATALOG)?
            .query_row([], |r| r.get(0))?)
    }

    fn refused(&mut self, event_id: &uuid::Uuid) -> HubResult<Option<(i64, String)>> {
        Ok(self
            .c
            .prepare_cached(intake_sql::REFUSED)?
            .query_row([event_id.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    fn sku_known(&mut self, sku: &str) -> HubResult<bool> {
        Ok(self
            .c
            .prepare_cached(intake_sql::SKU_KNOWN)?
            .query_row([sku], |r| r.get(0))?)
    }
}

impl DeviceSync for SqliteStore {
    fn register(&self, g: &TokenGrant) -> HubResult<()> {
        self.in_tx(|tx| {
            let existing: Option<bool> = tx
                .prepare_cached(device_sql::DEVICE)?
                .query_row([&g.device_id], |r| r.get(0))
                .optional()?;
            let mode = admission(g, existing)?;
            let sites = tx
                .prepare_cached(device_sql::SITES)?
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<String>>>()?;
            let current: Option<String> = tx
                .prepare_cached(device_sql::SITE)?
                .query_row([&g.device_id], |r| r.get(0))
                .optional()?;
            let site = site_of(g, &sites, current.as_deref())?;
            tx.prepare_cached(device_sql::UPSERT)?.execute((
                &g.device_id,
                &g.name,
                &g.issued_at,
                &site,
            ))?;
            if g.public_key.is_some() || mode == GrantMode::Replace {
                tx.prepare_cached(position_sql::SET_KEY)?
                    .execute((&g.public_key, &g.device_id))?;
            }
            match mode {
                GrantMode::Replace => {
                    tx.prepare_cached(device_sql::DELETE_TOKENS)?
                        .execute([&g.device_id])?;
                }
                GrantMode::Renew => {
                    tx.prepare_cached(device_sql::PRUNE_TOKENS)?.execute((
                        &g.device_id,
                        &g.issued_at,
                        TOKENS_KEPT - 1,
                    ))?;
                }
                GrantMode::New => {}
            }
            tx.prepare_cached(device_sql::INSERT_TOKEN)?.execute((
                &g.token_hash,
                &g.device_id,
                &g.expires_at,
                &g.issued_at,
            ))?;
            Ok(())
        })
    }

    fn token(&self, token_hash: &str) -> HubResult<Option<(String, String)>> {
        Ok(self
            .lock()?
            .prepare_cached(intake_sql::TOKEN)?
            .query_row([token_hash], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    fn revoke_device(&self, device_id: &str, now: &str) -> HubResult<usize> {
        self.in_tx(|tx| {
            let revoked = tx
                .prepare_cached(device_sql::REVOKE)?
                .execute((now, device_id))?;
            if revoked == 0 {
                return Err(HubError::UnknownDevice(device_id.into()));
            }
            Ok(tx
                .prepare_cached(device_sql::DELETE_TOKENS)?
                .execute([device_id])?)
        })
    }

    fn revoke_tokens(&self, device_id: &str) -> HubResult<usize> {
        self.in_tx(|tx| {
            let known: Option<bool> = tx
                .prepare_cached(device_sql::DEVICE)?
                .query_row([device_id], |r| r.get(0))
                .optional()?;
            if known.is_none() {
                return Err(HubError::UnknownDevice(device_id.into()));
            }
            Ok(tx
                .prepare_cached(device_sql::DELETE_TOKENS)?
                .execute([device_id])?)
        })
    }

    fn housekeep(&self, now: &str) -> HubResult<Housekeeping> {
        self.in_tx(|tx| {
            let over = |status: &str, limit: i64| -> HubResult<Vec<(String, i64)>> {
                let mut stmt = tx.prepare_cached(device_sql::OVER)?;
                let rows = stmt.query_map((status, limit), |r| Ok((r.get(0)?, r.get(1)?)))?;
                Ok(rows.collect::<rusqlite::Result<_>>()?)
            };
            Ok(Housekeeping {
                expired_tokens: tx
                    .prepare_cached(device_sql::EXPIRED_TOKENS)?
                    .execute([now])? as u64,
                refusals: tx
                    .prepare_cached(device_sql::OLD_REFUSALS)?
                    .execute([REFUSALS_KEPT])? as u64,
                rejected_bodies: tx
                    .prepare_cached(device_sql::OLD_REJECTED)?
                    .execute([REJECTED_BODIES_KEPT])? as u64,
                devices_holding: over("held", HELD_ALERT)?,
                devices_rejected: over("rejected", REJECTED_ALERT)?,
                devices_clock_off: tx
                    .prepare_cached(device_sql::CLOCK_OFF)?
                    .query_map([CLOCK_ALERT_MS], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<rusqlite::Result<_>>()?,
            })
        })
    }

    fn intake(
        &self,
        device_id: &str,
        events: &[Envelope],
        now: &str,
        signed_only: bool,
    ) -> HubResult<IntakeResult> {
        self.in_tx(|tx| intake::run(&mut Tx::new(tx), device_id, events, now, signed_only))
    }

    fn enrol_key(&self, device_id: &str, public_key: &str) -> HubResult<()> {
        self.in_tx(|tx| {
            let recorded: Option<Option<String>> = tx
                .prepare_cached(position_sql::KEY)?
                .query_row([device_id], |r| r.get(0))
                .optional()?;
            match recorded {
                None => Err(HubError::UnknownDevice(device_id.into())),
                Some(recorded) => {
                    enrolment(device_id, public_key, recorded.as_deref())?;
                    tx.prepare_cached(position_sql::ENROL)?
                        .execute((public_key, device_id))?;
                    Ok(())
                }
            }
        })
    }

    fn accept_fork(&self, device_id: &str) -> HubResult<()> {
        self.in_tx(|tx| {
            let accepted = tx
                .prepare_cached(position_sql::ACCEPT_FORK)?
                .execute([device_id])?;
            if accepted == 1 {
                return Ok(());
            }
            let held: Option<Option<String>> = tx
                .prepare_cached(position_sql::HELD)?
                .query_row([device_id], |r| r.get(0))
                .optional()?;
            Err(fork_refusal(device_id, held))
        })
    }

    fn exceptions(&self) -> HubResult<Vec<HubException>> {
        let conn = self.lock()?;
        let mut stmt = conn.prepare_cached(device_sql::EXCEPTIONS)?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            out.push(exception_of(row?)?);
        }
        Ok(out)
    }

    fn devices(&self) -> HubResult<Vec<DeviceStatus>> {
        let conn = self.lock()?;
        let mut stmt = conn.prepare_cached(device_sql::DEVICES)?;
        let rows = stmt.query_map([], |r| {
            Ok(DeviceStatus {
                device_id: r.get(0)?,
                contiguous_seq: r.get(1)?,
                held: r.get(2)?,
                rejected: r.get(3)?,
                last_seen: r.get(4)?,
                signed: r.get(5)?,
                held_for_supervisor: r.get(6)?,
                clock_skew_ms: r.get(7)?,
                clock_checked_at: r.get(8)?,
                site: r.get(9)?,
                name: r.get(10)?,
                revoked_at: r.get(11)?,
                app: r.get(12)?,
                pending: r.get(13)?,
                operator: r.get(14)?,
                reported_at: r.get(15)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn add_site(&self, site_id: &str, name: &str, now: &str) -> HubResult<bool> {
        check_site_id(site_id)?;
        self.in_tx(|tx| {
            Ok(tx
                .prepare_cached(device_sql::ADD_SITE)?
                .execute((site_id, name, now))?
                == 1)
        })
    }

    fn sites(&self) -> HubResult<Vec<String>> {
        let conn = self.lock()?;
        crate::store::ImportTx::sites(&mut Tx::new(&conn))
    }

    fn reconciled_counts(&self, site: &str) -> HubResult<Vec<CountReconciled>> {
        let conn = self.lock()?;
        let mut stmt = conn.prepare_cached(hub_event_sql::OF_KIND)?;
        let rows = stmt
            .query_map((site, HubEventKind::CountReconciliation.as_str()), |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(count_reconciled).collect()
    }

    fn held_counts(&self, site: &str) -> HubResult<Vec<HeldCount>> {
        let conn = self.lock()?;
        let mut tx = Tx::new(&conn);
        tx.site = site.to_string();
        let held = crate::store::ReconcileTx::held_counts(&mut tx, None, None)?;
        Ok(held.into_iter().map(held_count).collect())
    }

    fn release_counts(
        &self,
        site: &str,
        task: Option<&str>,
        by: &str,
        now: &str,
    ) -> HubResult<Vec<HeldCount>> {
        self.in_tx(|tx| {
            let mut tx = Tx::new(tx);
            tx.site = site.to_string();
            let released = crate::reconcile::release_held(&mut tx, task, by, now)?;
            Ok(released.into_iter().map(held_count).collect())
        })
    }

    fn device_synced(&self, device_id: &str, now: &str) -> HubResult<()> {
        self.in_tx(|tx| {
            tx.prepare_cached(device_sql::SYNCED)?
                .execute((now, device_id))?;
            let site: Option<String> = tx
                .prepare_cached(device_sql::SITE)?
                .query_row([device_id], |r| r.get(0))
                .optional()?;
            if let Some(site) = site {
                let mut rows = Tx::new(tx);
                rows.site = site;
                crate::reconcile::release_due(&mut rows, now)?;
            }
            Ok(())
        })
    }

    fn stock_pulled(&self, device_id: &str, now: &str) -> HubResult<()> {
        self.lock()?
            .prepare_cached(device_sql::STOCK_PULLED)?
            .execute((now, device_id))?;
        Ok(())
    }

    fn device_site(&self, device_id: &str) -> HubResult<Option<String>> {
        Ok(self
            .lock()?
            .prepare_cached(device_sql::SITE)?
            .query_row([device_id], |r| r.get(0))
            .optional()?)
    }

    fn clock_checked(&self, device_id: &str, skew_ms: i64, now: &str) -> HubResult<()> {
        self.in_tx(|tx| {
            tx.prepare_cached(device_sql::CLOCK)?
                .execute((skew_ms, now, device_id))?;
            Ok(())
        })
    }
}
