//! SSCC blocks on PostgreSQL: hub instances sharing the database hand out one prefix's serials
//! one at a time (an advisory lock per prefix and extension).

use dockhand_protocol::sscc::SsccBlock;

use super::PostgresStore;
use crate::error::HubResult;
use crate::store::{SsccBook, prefix_of, serial_column, sscc_sql};

impl SsccBook for PostgresStore {
    fn set_site_prefix(&self, site: &str, prefix: &str, extension: u8) -> HubResult<bool> {
        self.in_tx(|pg| {
            Ok(pg.exec(
                sscc_sql::SET_PREFIX,
                &[&prefix, &i64::from(extension), &site],
            )? == 1)
        })
    }

    fn site_prefix(&self, site: &str) -> HubResult<Option<(String, u8)>> {
        let rows = self.query(sscc_sql::PREFIX, &[&site])?;
        Ok(prefix_of(rows.first().map(|r| (r.get(0), r.get(1)))))
    }

    fn give_sscc_block(
        &self,
        site: &str,
        device_id: &str,
        wanted: u64,
        now: &str,
    ) -> HubResult<SsccBlock> {
        self.in_tx(|pg| {
            let row = pg.opt(sscc_sql::PREFIX, &[&site])?;
            let prefix = prefix_of(row.map(|r| (r.get(0), r.get(1))));
            let next: i64 = match &prefix {
                Some((p, e)) => {
                    pg.opt(sscc_sql::LOCK, &[&format!("sscc:{p}:{e}")])?;
                    pg.opt(sscc_sql::NEXT, &[p, &i64::from(*e)])?
                        .map_or(0, |r| r.get(0))
                }
                None => 0,
            };
            let block =
                crate::sscc::next_block(site, prefix, u64::try_from(next).unwrap_or(0), wanted)?;
            pg.exec(
                sscc_sql::GIVE,
                &[
                    &block.company_prefix,
                    &i64::from(block.extension),
                    &serial_column(block.first),
                    &serial_column(block.last),
                    &site,
                    &device_id,
                    &now,
                ],
            )?;
            Ok(block)
        })
    }
}
