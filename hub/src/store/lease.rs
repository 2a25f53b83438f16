//! The posting lease: one hub instance at a time posts to an ERP.

use crate::error::HubResult;

/// Which hub instance posts to an ERP.
pub trait Lease: Send + Sync + 'static {
    /// Takes or renews the lease on posting to ERP `erp` for `holder` until `until`: granted when
    /// nobody holds it, `holder` does, or the holder's lease ended before `now` (UTC RFC 3339
    /// texts, compared as text).
    fn erp_lease(&self, erp: &str, holder: &str, until: &str, now: &str) -> HubResult<bool>;
}

/// The lease statements, one text for both backends.
pub mod lease_sql {
    /// Takes or renews a posting lease ($1 erp, $2 holder, $3 until, $4 now): one row changed when
    /// granted.
    pub const TAKE: &str = "INSERT INTO erp_leases (erp, holder, until) VALUES ($1, $2, $3)
        ON CONFLICT (erp) DO UPDATE SET holder = excluded.holder, until = excluded.until
        WHERE erp_leases.holder = excluded.holder OR erp_leases.until < $4";
    /// Who holds the posting lease, and until when.
    pub const HOLDER: &str = "SELECT holder, until FROM erp_leases WHERE erp = $1";
}
