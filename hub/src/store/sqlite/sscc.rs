//! SSCC blocks on SQLite (one writer: the transaction is the lock).

use dockhand_protocol::sscc::SsccBlock;
use rusqlite::OptionalExtension;

use super::SqliteStore;
use crate::error::HubResult;
use crate::store::{SsccBook, prefix_of, serial_column, sscc_sql};

impl SsccBook for SqliteStore {
    fn set_site_prefix(&self, site: &str, prefix: &str, extension: u8) -> HubResult<bool> {
        self.in_tx(|tx| {
            Ok(tx.prepare_cached(sscc_sql::SET_PREFIX)?.execute((
                prefix,
                i64::from(extension),
                site,
            ))? == 1)
        })
    }

    fn site_prefix(&self, site: &str) -> HubResult<Option<(String, u8)>> {
        let conn = self.lock()?;
        let row: Option<(Option<String>, i64)> = conn
            .prepare_cached(sscc_sql::PREFIX)?
            .query_row([site], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        Ok(prefix_of(row))
    }

    fn give_sscc_block(
        &self,
        site: &str,
        device_id: &str,
        wanted: u64,
        now: &str,
    ) -> HubResult<SsccBlock> {
        self.in_tx(|tx| {
            let row: Option<(Option<String>, i64)> = tx
                .prepare_cached(sscc_sql::PREFIX)?
                .query_row([site], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            let prefix = prefix_of(row);
            let next: i64 = match &prefix {
                Some((p, e)) => tx
                    .prepare_cached(sscc_sql::NEXT)?
                    .query_row((p, i64::from(*e)), |r| r.get(0))?,
                None => 0,
            };
            let block =
                crate::sscc::next_block(site, prefix, u64::try_from(next).unwrap_or(0), wanted)?;
            tx.prepare_cached(sscc_sql::GIVE)?.execute((
                &block.company_prefix,
                i64::from(block.extension),
                serial_column(block.first),
                serial_column(block.last),
                site,
                device_id,
                now,
            ))?;
            Ok(block)
        })
    }
}
