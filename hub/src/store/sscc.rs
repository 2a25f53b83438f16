//! The SSCC blocks a hub hands its devices (see [`crate::sscc`]).

use dockhand_protocol::sscc::SsccBlock;

use crate::error::HubResult;

/// Where a site's GS1 Company Prefix is kept and SSCC serial references are handed out.
pub trait SsccBook: Send + Sync + 'static {
    /// Sets `site`'s GS1 Company Prefix and extension digit: false when there is no such site.
    fn set_site_prefix(&self, site: &str, prefix: &str, extension: u8) -> HubResult<bool>;
    /// `site`'s prefix and extension digit, when set.
    fn site_prefix(&self, site: &str) -> HubResult<Option<(String, u8)>>;
    /// Hands `device_id` of `site` the next block of up to `wanted` serial references (one at a
    /// time per prefix, whatever the number of hub instances), recorded at `now`.
    fn give_sscc_block(
        &self,
        site: &str,
        device_id: &str,
        wanted: u64,
        now: &str,
    ) -> HubResult<SsccBlock>;
}

/// A serial reference as a column (serials fit: at most 10^9).
pub fn serial_column(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// A site's prefix and extension as either backend stores them.
pub fn prefix_of(row: Option<(Option<String>, i64)>) -> Option<(String, u8)> {
    let (prefix, extension) = row?;
    Some((prefix?, u8::try_from(extension).unwrap_or(0)))
}

/// The statements, one text for both backends.
pub mod sscc_sql {
    /// Sets site $3's prefix $1 and extension $2.
    pub const SET_PREFIX: &str =
        "UPDATE sites SET gs1_prefix = $1, sscc_extension = $2 WHERE site_id = $3";
    /// Site $1's prefix and extension.
    pub const PREFIX: &str = "SELECT gs1_prefix, sscc_extension FROM sites WHERE site_id = $1";
    /// The first serial reference of prefix $1 and extension $2 not handed out.
    pub const NEXT: &str = "SELECT CAST(COALESCE(MAX(last_serial) + 1, 0) AS BIGINT)
        FROM sscc_blocks WHERE company_prefix = $1 AND extension = $2";
    /// Records a block.
    pub const GIVE: &str = "INSERT INTO sscc_blocks (company_prefix, extension, first_serial,
        last_serial, site, device_id, given_at) VALUES ($1, $2, $3, $4, $5, $6, $7)";
    /// Serialises the handing out of one prefix's serials between hub instances (PostgreSQL).
    pub const LOCK: &str = "SELECT pg_advisory_xact_lock(hashtext($1))";
}
