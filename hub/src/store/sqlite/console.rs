//! The console's accounts, sessions and actions on SQLite.

use rusqlite::{OptionalExtension, Row};

use super::SqliteStore;
use crate::error::HubResult;
use crate::store::{
    ConsoleAction, ConsoleBook, ConsoleSession, ConsoleUser, DeviceReport, EventRow, console_sql,
};

fn user_of(r: &Row<'_>) -> rusqlite::Result<ConsoleUser> {
    Ok(ConsoleUser {
        name: r.get(0)?,
        role: r.get(1)?,
        password_hash: r.get(2)?,
        failures: r.get(3)?,
        locked_until: r.get(4)?,
        created_at: r.get(5)?,
    })
}

fn event_of(r: &Row<'_>) -> rusqlite::Result<EventRow> {
    Ok(EventRow {
        envelope: r.get(0)?,
        status: r.get(1)?,
        reason: r.get(2)?,
        received_at: r.get(3)?,
    })
}

impl SqliteStore {
    fn event_rows(&self, sql: &str, params: impl rusqlite::Params) -> HubResult<Vec<EventRow>> {
        let conn = self.lock()?;
        let mut stmt = conn.prepare_cached(sql)?;
        let rows = stmt.query_map(params, event_of)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

impl ConsoleBook for SqliteStore {
    fn put_console_user(&self, user: &ConsoleUser, replace: bool) -> HubResult<bool> {
        self.in_tx(|tx| {
            let added = tx.prepare_cached(console_sql::ADD_USER)?.execute((
                &user.name,
                &user.role,
                &user.password_hash,
                &user.created_at,
            ))?;
            if added == 1 || !replace {
                return Ok(added == 1);
            }
            tx.prepare_cached(console_sql::END_SESSIONS_OF)?
                .execute([&user.name])?;
            tx.prepare_cached(console_sql::UNLOCK)?
                .execute([&user.name])?;
            let reset = tx.prepare_cached(console_sql::RESET_USER)?.execute((
                &user.role,
                &user.password_hash,
                &user.name,
            ))?;
            Ok(reset == 1)
        })
    }

    fn console_user(&self, name: &str) -> HubResult<Option<ConsoleUser>> {
        let conn = self.lock()?;
        let mut stmt = conn.prepare_cached(console_sql::USER)?;
        Ok(stmt.query_row([name], user_of).optional()?)
    }

    fn console_users(&self) -> HubResult<Vec<ConsoleUser>> {
        let conn = self.lock()?;
        let mut stmt = conn.prepare_cached(console_sql::USERS)?;
        let rows = stmt.query_map([], user_of)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn remove_console_user(&self, name: &str) -> HubResult<bool> {
        self.in_tx(|tx| {
            tx.prepare_cached(console_sql::END_SESSIONS_OF)?
                .execute([name])?;
            tx.prepare_cached(console_sql::UNLOCK)?.execute([name])?;
            Ok(tx
                .prepare_cached(console_sql::REMOVE_USER)?
                .execute([name])?
                == 1)
        })
    }

    fn console_sign_in_failed(
        &self,
        name: &str,
        address: &str,
        lock_after: i64,
        locked_until: &str,
    ) -> HubResult<Option<String>> {
        self.in_tx(|tx| {
            let lock = tx
                .prepare_cached(console_sql::FAILED)?
                .query_row((name, address, lock_after, locked_until), |r| {
                    r.get::<_, Option<String>>(0)
                })
                .optional()?;
            Ok(lock.flatten())
        })
    }

    fn console_lock(&self, name: &str, address: &str) -> HubResult<Option<String>> {
        let conn = self.lock()?;
        let mut stmt = conn.prepare_cached(console_sql::LOCK)?;
        Ok(stmt
            .query_row((name, address), |r| r.get::<_, Option<String>>(0))
            .optional()?
            .flatten())
    }

    fn console_signed_in(&self, name: &str, address: &str) -> HubResult<()> {
        self.in_tx(|tx| {
            tx.prepare_cached(console_sql::SIGNED_IN)?
                .execute((name, address))?;
            Ok(())
        })
    }

    fn open_console_session(&self, token_hash: &str, s: &ConsoleSession) -> HubResult<()> {
        self.in_tx(|tx| {
            tx.prepare_cached(console_sql::PRUNE)?
                .execute([&s.created_at])?;
            tx.prepare_cached(console_sql::OPEN)?.execute((
                token_hash,
                &s.user,
                &s.csrf,
                &s.created_at,
                &s.last_seen,
                &s.expires_at,
            ))?;
            Ok(())
        })
    }

    fn console_session(&self, token_hash: &str) -> HubResult<Option<ConsoleSession>> {
        let conn = self.lock()?;
        let mut stmt = conn.prepare_cached(console_sql::SESSION)?;
        Ok(stmt
            .query_row([token_hash], |r| {
                Ok(ConsoleSession {
                    user: r.get(0)?,
                    role: r.get(1)?,
                    csrf: r.get(2)?,
                    created_at: r.get(3)?,
                    last_seen: r.get(4)?,
                    expires_at: r.get(5)?,
                })
            })
            .optional()?)
    }

    fn touch_console_session(&self, token_hash: &str, now: &str) -> HubResult<()> {
        let conn = self.lock()?;
        conn.prepare_cached(console_sql::TOUCH)?
            .execute([now, token_hash])?;
        Ok(())
    }

    fn end_console_session(&self, token_hash: &str) -> HubResult<()> {
        let conn = self.lock()?;
        conn.prepare_cached(console_sql::END)?
            .execute([token_hash])?;
        Ok(())
    }

    fn record_console_action(&self, a: &ConsoleAction) -> HubResult<()> {
        let conn = self.lock()?;
        conn.prepare_cached(console_sql::RECORD)?
            .execute((&a.at, &a.user, &a.action, &a.target, &a.note, &a.outcome))?;
        Ok(())
    }

    fn console_actions(&self, limit: i64) -> HubResult<Vec<ConsoleAction>> {
        let conn = self.lock()?;
        let mut stmt = conn.prepare_cached(console_sql::ACTIONS)?;
        let rows = stmt.query_map([limit], |r| {
            Ok(ConsoleAction {
                at: r.get(0)?,
                user: r.get(1)?,
                action: r.get(2)?,
                target: r.get(3)?,
                note: r.get(4)?,
                outcome: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn exception_summary(&self, site: &str) -> HubResult<(i64, i64, i64, String)> {
        let conn = self.lock()?;
        let mut stmt = conn.prepare_cached(console_sql::EXCEPTION_SUMMARY)?;
        Ok(stmt.query_row([site], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?)
    }

    fn device_reported(&self, device_id: &str, r: &DeviceReport, now: &str) -> HubResult<()> {
        let conn = self.lock()?;
        conn.prepare_cached(console_sql::REPORTED)?.execute((
            &r.app,
            r.pending,
            &r.operator,
            now,
            device_id,
        ))?;
        Ok(())
    }

    fn event_by_id(&self, event_id: &str) -> HubResult<Option<EventRow>> {
        Ok(self.event_rows(console_sql::EVENT, [event_id])?.pop())
    }

    fn event_at(&self, device_id: &str, seq: i64) -> HubResult<Option<EventRow>> {
        Ok(self
            .event_rows(console_sql::EVENT_AT, (device_id, seq))?
            .pop())
    }

    fn device_events(&self, device_id: &str, limit: i64) -> HubResult<Vec<EventRow>> {
        self.event_rows(console_sql::DEVICE_EVENTS, (device_id, limit))
    }

    fn item_events(&self, site: &str, sku: &str, limit: i64) -> HubResult<Vec<EventRow>> {
        self.event_rows(console_sql::ITEM_EVENTS, (site, sku, limit))
    }

    fn lpn_events(&self, site: &str, lpn: &str, limit: i64) -> HubResult<Vec<EventRow>> {
        self.event_rows(console_sql::LPN_EVENTS, (site, lpn, limit))
    }

    fn accepted_between(
        &self,
        site: &str,
        from: &str,
        until: &str,
        limit: i64,
    ) -> HubResult<Vec<String>> {
        let conn = self.lock()?;
        let mut stmt = conn.prepare_cached(console_sql::ACCEPTED_BETWEEN)?;
        let rows = stmt.query_map((site, from, until, limit), |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn shared_master(&self, kind: &str) -> HubResult<Vec<(String, String)>> {
        let conn = self.lock()?;
        let mut stmt = conn.prepare_cached(console_sql::SHARED_MASTER)?;
        let rows = stmt.query_map([kind], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
