//! The console's accounts, sessions and actions on PostgreSQL.

use tokio_postgres::Row;

use super::PostgresStore;
use crate::error::HubResult;
use crate::store::{
    ConsoleAction, ConsoleBook, ConsoleSession, ConsoleUser, DeviceReport, EventRow, console_sql,
};

fn user_of(r: &Row) -> ConsoleUser {
    ConsoleUser {
        name: r.get(0),
        role: r.get(1),
        password_hash: r.get(2),
        failures: r.get(3),
        locked_until: r.get(4),
        created_at: r.get(5),
    }
}

fn event_of(r: &Row) -> EventRow {
    EventRow {
        envelope: r.get(0),
        status: r.get(1),
        reason: r.get(2),
        received_at: r.get(3),
    }
}

impl ConsoleBook for PostgresStore {
    fn put_console_user(&self, user: &ConsoleUser, replace: bool) -> HubResult<bool> {
        self.with(|c| {
            let mut tx = c.transaction()?;
            let added = tx.execute(
                console_sql::ADD_USER,
                &[
                    &user.name,
                    &user.role,
                    &user.password_hash,
                    &user.created_at,
                ],
            )?;
            let written = if added == 1 || !replace {
                added == 1
            } else {
                tx.execute(console_sql::END_SESSIONS_OF, &[&user.name])?;
                tx.execute(console_sql::UNLOCK, &[&user.name])?;
                tx.execute(
                    console_sql::RESET_USER,
                    &[&user.role, &user.password_hash, &user.name],
                )? == 1
            };
            tx.commit()?;
            Ok(written)
        })
    }

    fn console_user(&self, name: &str) -> HubResult<Option<ConsoleUser>> {
        Ok(self
            .query(console_sql::USER, &[&name])?
            .first()
            .map(user_of))
    }

    fn console_users(&self) -> HubResult<Vec<ConsoleUser>> {
        Ok(self
            .query(console_sql::USERS, &[])?
            .iter()
            .map(user_of)
            .collect())
    }

    fn remove_console_user(&self, name: &str) -> HubResult<bool> {
        self.with(|c| {
            let mut tx = c.transaction()?;
            tx.execute(console_sql::END_SESSIONS_OF, &[&name])?;
            tx.execute(console_sql::UNLOCK, &[&name])?;
            let removed = tx.execute(console_sql::REMOVE_USER, &[&name])?;
            tx.commit()?;
            Ok(removed == 1)
        })
    }

    fn console_sign_in_failed(
        &self,
        name: &str,
        address: &str,
        lock_after: i64,
        locked_until: &str,
    ) -> HubResult<Option<String>> {
        let rows = self.query(
            console_sql::FAILED,
            &[&name, &address, &lock_after, &locked_until],
        )?;
        Ok(rows.first().and_then(|r| r.get::<_, Option<String>>(0)))
    }

    fn console_lock(&self, name: &str, address: &str) -> HubResult<Option<String>> {
        let rows = self.query(console_sql::LOCK, &[&name, &address])?;
        Ok(rows.first().and_then(|r| r.get::<_, Option<String>>(0)))
    }

    fn console_signed_in(&self, name: &str, address: &str) -> HubResult<()> {
        self.query(console_sql::SIGNED_IN, &[&name, &address])?;
        Ok(())
    }

    fn open_console_session(&self, token_hash: &str, s: &ConsoleSession) -> HubResult<()> {
        self.with(|c| {
            let mut tx = c.transaction()?;
            tx.execute(console_sql::PRUNE, &[&s.created_at])?;
            tx.execute(
                console_sql::OPEN,
                &[
                    &token_hash,
                    &s.user,
                    &s.csrf,
                    &s.created_at,
                    &s.last_seen,
                    &s.expires_at,
                ],
            )?;
            tx.commit()?;
            Ok(())
        })
    }

    fn console_session(&self, token_hash: &str) -> HubResult<Option<ConsoleSession>> {
        Ok(self
            .query(console_sql::SESSION, &[&token_hash])?
            .first()
            .map(|r| ConsoleSession {
                user: r.get(0),
                role: r.get(1),
                csrf: r.get(2),
                created_at: r.get(3),
                last_seen: r.get(4),
                expires_at: r.get(5),
            }))
    }

    fn touch_console_session(&self, token_hash: &str, now: &str) -> HubResult<()> {
        self.with(|c| c.execute(console_sql::TOUCH, &[&now, &token_hash]))?;
        Ok(())
    }

    fn end_console_session(&self, token_hash: &str) -> HubResult<()> {
        self.with(|c| c.execute(console_sql::END, &[&token_hash]))?;
        Ok(())
    }

    fn record_console_action(&self, a: &ConsoleAction) -> HubResult<()> {
        self.with(|c| {
            c.execute(
                console_sql::RECORD,
                &[&a.at, &a.user, &a.action, &a.target, &a.note, &a.outcome],
            )
        })?;
        Ok(())
    }

    fn console_actions(&self, limit: i64) -> HubResult<Vec<ConsoleAction>> {
        Ok(self
            .query(console_sql::ACTIONS, &[&limit])?
            .iter()
            .map(|r| ConsoleAction {
                at: r.get(0),
                user: r.get(1),
                action: r.get(2),
                target: r.get(3),
                note: r.get(4),
                outcome: r.get(5),
            })
            .collect())
    }

    fn exception_summary(&self, site: &str) -> HubResult<(i64, i64, i64, String)> {
        let row = self.with(|c| c.query_one(console_sql::EXCEPTION_SUMMARY, &[&site]))?;
        Ok((row.get(0), row.get(1), row.get(2), row.get(3)))
    }

    fn device_reported(&self, device_id: &str, r: &DeviceReport, now: &str) -> HubResult<()> {
        self.with(|c| {
            c.execute(
                console_sql::REPORTED,
                &[&r.app, &r.pending, &r.operator, &now, &device_id],
            )
        })?;
        Ok(())
    }

    fn event_by_id(&self, event_id: &str) -> HubResult<Option<EventRow>> {
        Ok(self
            .query(console_sql::EVENT, &[&event_id])?
            .first()
            .map(event_of))
    }

    fn event_at(&self, device_id: &str, seq: i64) -> HubResult<Option<EventRow>> {
        Ok(self
            .query(console_sql::EVENT_AT, &[&device_id, &seq])?
            .first()
            .map(event_of))
    }

    fn device_events(&self, device_id: &str, limit: i64) -> HubResult<Vec<EventRow>> {
        Ok(self
            .query(console_sql::DEVICE_EVENTS, &[&device_id, &limit])?
            .iter()
            .map(event_of)
            .collect())
    }

    fn item_events(&self, site: &str, sku: &str, limit: i64) -> HubResult<Vec<EventRow>> {
        Ok(self
            .query(console_sql::ITEM_EVENTS, &[&site, &sku, &limit])?
            .iter()
            .map(event_of)
            .collect())
    }

    fn lpn_events(&self, site: &str, lpn: &str, limit: i64) -> HubResult<Vec<EventRow>> {
        Ok(self
            .query(console_sql::LPN_EVENTS, &[&site, &lpn, &limit])?
            .iter()
            .map(event_of)
            .collect())
    }

    fn accepted_between(
        &self,
        site: &str,
        from: &str,
        until: &str,
        limit: i64,
    ) -> HubResult<Vec<String>> {
        Ok(self
            .query(
                console_sql::ACCEPTED_BETWEEN,
                &[&site, &from, &until, &limit],
            )?
            .iter()
            .map(|r| r.get(0))
            .collect())
    }

    fn shared_master(&self, kind: &str) -> HubResult<Vec<(String, String)>> {
        Ok(self
            .query(console_sql::SHARED_MASTER, &[&kind])?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect())
    }
}
