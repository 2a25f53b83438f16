//! SSCCs minted on the device for the cartons and pallets it labels, from the blocks of serial
//! references the hub gave it alone ([`dockhand_protocol::sscc`]): two handhelds offline together
//! never mint the same SSCC. The sync engine asks for a new block when a quarter of one is left;
//! a device that has minted all it holds says so, and what to do.

use rusqlite::{Connection, OptionalExtension, params};

use crate::db::{Store, WriteTx};
use crate::error::{Error, Result};
use dockhand_protocol::sscc::SsccBlock;

/// Keeps a block the hub gave this device (a block given twice is kept once).
pub fn add_block(store: &Store, block: &SsccBlock) -> Result<()> {
    block.check()?;
    let to_int = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    store.write(|tx| {
        tx.conn()
            .prepare_cached(
                "INSERT INTO sscc_blocks (company_prefix, extension, first_serial, last_serial,
                     next, got_at) VALUES (?1, ?2, ?3, ?4, ?3, ?5)
                 ON CONFLICT (company_prefix, extension, first_serial) DO NOTHING",
            )?
            .execute(params![
                block.company_prefix,
                i64::from(block.extension),
                to_int(block.first),
                to_int(block.last),
                tx.now_utc_text()
            ])?;
        Ok(())
    })
}

/// SSCCs this device can still mint.
pub fn remaining(conn: &Connection) -> Result<u64> {
    let left: i64 = conn
        .prepare_cached("SELECT COALESCE(SUM(last_serial + 1 - next), 0) FROM sscc_blocks")?
        .query_row([], |r| r.get(0))?;
    Ok(u64::try_from(left).unwrap_or(0))
}

/// Mints the next SSCC inside the caller's transaction (the command that labels a carton or a
/// pallet): from the oldest block with serials left.
pub fn mint_in(tx: &WriteTx<'_>) -> Result<String> {
    let conn = tx.conn();
    let open: Option<(String, i64, i64, i64, i64)> = conn
        .prepare_cached(
            "SELECT company_prefix, extension, first_serial, last_serial, next FROM sscc_blocks
             WHERE next <= last_serial ORDER BY got_at, first_serial LIMIT 1",
        )?
        .query_row([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .optional()?;
    let Some((company_prefix, extension, first, last, next)) = open else {
        let (minted, prefix): (i64, Option<String>) = conn
            .prepare_cached(
                "SELECT COALESCE(SUM(next - first_serial), 0), MAX(company_prefix)
                 FROM sscc_blocks",
            )?
            .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        return Err(Error::SsccExhausted {
            minted: u64::try_from(minted).unwrap_or(0),
            prefix: prefix
                .map(|p| format!(", under company prefix {p}"))
                .unwrap_or_default(),
        });
    };
    let as_u64 = |v: i64| u64::try_from(v).unwrap_or(0);
    let block = SsccBlock {
        company_prefix,
        extension: u8::try_from(extension).unwrap_or(0),
        first: as_u64(first),
        last: as_u64(last),
    };
    let sscc = block.sscc(as_u64(next))?;
    conn.prepare_cached(
        "UPDATE sscc_blocks SET next = next + 1
         WHERE company_prefix = ?1 AND extension = ?2 AND first_serial = ?3",
    )?
    .execute(params![block.company_prefix, extension, first])?;
    Ok(sscc)
}

/// Mints the next SSCC on its own (a label printed for a carton not yet packed).
pub fn mint(store: &Store) -> Result<String> {
    store.write(|tx| mint_in(tx))
}

/// The length of the GS1 Company Prefix an SSCC minted here was made under (to group it on a
/// label), when one of this device's blocks is its own.
pub fn company_prefix_length(conn: &Connection, sscc: &str) -> Result<Option<u32>> {
    Ok(conn
        .prepare_cached(
            "SELECT length(company_prefix) FROM sscc_blocks
             WHERE substr(?1, 1, 1) = CAST(extension AS TEXT)
               AND substr(?1, 2, length(company_prefix)) = company_prefix
             ORDER BY length(company_prefix) DESC LIMIT 1",
        )?
        .query_row([sscc], |r| r.get(0))
        .optional()?)
}
