//! SSCCs minted offline: the hub hands each device blocks of serial references under its site's
//! GS1 Company Prefix (`POST /v1/sscc/block`), and a device mints only from its own. Serials are
//! handed out in order, once per prefix and extension digit; a prefix that has no serials left is
//! said so, with what to do.

use dockhand_protocol::sscc::{MAX_BLOCK, SsccBlock, capacity, check_company_prefix};

use crate::body::short_text;
use crate::error::{HubError, HubResult};
use crate::store::HubStore;

/// The next block for a site whose prefix is `prefix` (None: not set), the next serial free
/// being `next`.
pub fn next_block(
    site: &str,
    prefix: Option<(String, u8)>,
    next: u64,
    wanted: u64,
) -> HubResult<SsccBlock> {
    let Some((company_prefix, extension)) = prefix else {
        return Err(HubError::SsccUnavailable {
            code: "no_company_prefix",
            message: format!(
                "site {site} has no GS1 Company Prefix, so its handhelds cannot mint SSCCs: set \
                 it with `dockhand-hub site prefix {site} PREFIX`"
            ),
        });
    };
    let room = capacity(&company_prefix);
    if next >= room {
        return Err(HubError::SsccUnavailable {
            code: "sscc_exhausted",
            message: format!(
                "every serial reference of GS1 Company Prefix {company_prefix} with extension \
                 digit {extension} has been handed out ({room}): give site {site} another \
                 extension digit with `dockhand-hub site prefix {site} {company_prefix} \
                 --extension N`"
            ),
        });
    }
    Ok(SsccBlock {
        company_prefix,
        extension,
        first: next,
        last: next.saturating_add(wanted.max(1) - 1).min(room - 1),
    })
}

/// Checks how many serials a device asks for.
pub fn check_wanted(wanted: u64) -> HubResult<()> {
    if (1..=MAX_BLOCK).contains(&wanted) {
        Ok(())
    } else {
        Err(HubError::BadRequest(format!(
            "wanted {wanted} serial references: ask for 1 to {MAX_BLOCK} at a time"
        )))
    }
}

/// `dockhand-hub site prefix SITE PREFIX [--extension N]`.
pub fn set_prefix(store: &dyn HubStore, site: &str, prefix: &str, extension: u8) -> HubResult<()> {
    check_company_prefix(prefix).map_err(|e| HubError::BadRequest(e.to_string()))?;
    if extension > 9 {
        return Err(HubError::BadRequest(format!(
            "extension digit {extension} must be 0 to 9"
        )));
    }
    if !store.set_site_prefix(site, prefix, extension)? {
        return Err(HubError::NotFound(format!(
            "this hub has no site {:?}",
            short_text(site, 40)
        )));
    }
    Ok(())
}

/// `POST /v1/sscc/block`: the asking device's next block.
pub fn give(store: &dyn HubStore, device_id: &str, wanted: u64, now: &str) -> HubResult<SsccBlock> {
    check_wanted(wanted)?;
    let site = store
        .device_site(device_id)?
        .ok_or_else(|| HubError::UnknownDevice(device_id.into()))?;
    store.give_sscc_block(&site, device_id, wanted, now)
}
