//! Badge PIN hashes: the hub turns each imported PIN into an Argon2id hash (the plain PIN is never
//! stored or sent), devices check typed PINs against it. The salt is derived from the operator and
//! the badge, so the same PIN imported again is no change.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::ProtocolError as Error;

type Result<T> = std::result::Result<T, Error>;

/// Argon2id cost the hub hashes with (OWASP's first recommendation: 19 MiB, 2 passes, 1 lane).
const HASH_MEMORY_KIB: u32 = 19 * 1024;
const HASH_PASSES: u32 = 2;
/// The most a device spends on one check: a hash asking for more is refused, not computed.
const MAX_MEMORY_KIB: u32 = 64 * 1024;
const MAX_PASSES: u32 = 8;

/// An operator's badge and PIN hash, as master data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credential {
    /// The operator.
    pub operator_id: String,
    /// What their badge's barcode reads.
    pub badge: String,
    /// Argon2id PHC string of the PIN, made by the hub.
    pub pin_hash: String,
}

/// Shortest PIN: a hash of a shorter one is guessed offline in minutes (10⁴ × ~20 ms).
pub const MIN_PIN_DIGITS: usize = 6;

/// Refuses a PIN that is not 6 to 12 digits (without saying anything about the one typed).
pub fn check_pin(pin: &str) -> Result<()> {
    let len = pin.chars().count();
    if !(MIN_PIN_DIGITS..=12).contains(&len) || !pin.chars().all(|c| c.is_ascii_digit()) {
        return Err(Error::invalid(
            "PIN",
            format!("it must be {MIN_PIN_DIGITS} to 12 digits"),
        ));
    }
    Ok(())
}

/// Refuses a badge code that is empty, padded, over 64 characters or holds control characters.
pub fn check_badge(badge: &str) -> Result<()> {
    if badge.trim().is_empty()
        || badge.trim() != badge
        || badge.chars().count() > 64
        || badge.chars().any(char::is_control)
    {
        return Err(Error::invalid(
            "badge",
            format!(
                "{:?} must be 1 to 64 characters without surrounding spaces or control characters",
                crate::error::prefix(badge, 24)
            ),
        ));
    }
    Ok(())
}

/// The Argon2id hash of an operator's PIN on a badge (a PHC string), as the hub stores and sends
/// it. The salt is derived from the operator and the badge: unique per credential, and the same
/// PIN imported again gives the same hash, so an unchanged badge is no change for devices and the
/// hub never hashes inside its import transaction to find that out.
pub fn hash_pin(operator_id: &str, badge: &str, pin: &str) -> Result<String> {
    check_pin(pin)?;
    let mut salt = Sha256::new();
    for part in ["dockhand PIN salt", operator_id, badge] {
        salt.update(part.as_bytes());
        salt.update([0u8]);
    }
    argon2id(pin.as_bytes(), &salt.finalize()[..16])
}

/// The Argon2id hash (a PHC string) of `secret` with `salt`, at the hub's cost: badge PINs, and
/// the console's passwords (with a random salt).
pub fn argon2id(secret: &[u8], salt: &[u8]) -> Result<String> {
    let params = Params::new(HASH_MEMORY_KIB, HASH_PASSES, 1, None)
        .map_err(|e| Error::Internal(format!("Argon2 parameters: {e}")))?;
    let hash = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_with_salt(secret, salt)
        .map_err(|e| Error::Internal(format!("Argon2 hashing: {e}")))?;
    Ok(hash.to_string())
}

/// Whether `secret` is the one the Argon2 PHC string `hash` was made from (an unreadable hash
/// matches nothing).
pub fn argon2id_matches(hash: &str, secret: &[u8]) -> bool {
    PasswordHash::new(hash)
        .is_ok_and(|hash| Argon2::default().verify_password(secret, &hash).is_ok())
}

/// Refuses a hash costlier to check than the hub's own (for hashes made elsewhere and imported):
/// the hub checks them too, and devices must not be made to grind.
pub fn check_hub_cost(c: &Credential) -> Result<()> {
    let hash = parse_hash(&c.operator_id, &c.pin_hash)?;
    let params = Params::try_from(&hash)
        .map_err(|e| Error::invalid("PIN hash", format!("operator {}: {e}", c.operator_id)))?;
    if params.m_cost() > HASH_MEMORY_KIB || params.t_cost() > HASH_PASSES || params.p_cost() > 1 {
        return Err(Error::invalid(
            "PIN hash",
            format!(
                "operator {}: costs m={} KiB, t={}, p={} exceed the hub's own (m={HASH_MEMORY_KIB}, t={HASH_PASSES}, p=1)",
                c.operator_id,
                params.m_cost(),
                params.t_cost(),
                params.p_cost()
            ),
        ));
    }
    Ok(())
}

/// The parsed hash, if it is Argon2id within what a handheld will compute.
fn parse_hash(operator_id: &str, pin_hash: &str) -> Result<PasswordHash> {
    let bad = |why: String| {
        Error::invalid(
            "PIN hash",
            format!("operator {operator_id}: {why}; the hub must send an Argon2id hash"),
        )
    };
    let hash = PasswordHash::new(pin_hash).map_err(|e| bad(format!("unreadable ({e})")))?;
    if hash.algorithm.as_str() != "argon2id" {
        return Err(bad(format!("algorithm {}", hash.algorithm)));
    }
    let params = Params::try_from(&hash).map_err(|e| bad(format!("parameters: {e}")))?;
    if params.m_cost() > MAX_MEMORY_KIB || params.t_cost() > MAX_PASSES || params.p_cost() > 4 {
        return Err(bad(format!(
            "costs m={} KiB, t={}, p={} exceed what a handheld computes (m≤{MAX_MEMORY_KIB}, t≤{MAX_PASSES}, p≤4)",
            params.m_cost(),
            params.t_cost(),
            params.p_cost()
        )));
    }
    Ok(hash)
}

/// Refuses a credential a device could not use.
pub fn check_credential(c: &Credential) -> Result<()> {
    check_badge(&c.badge)?;
    parse_hash(&c.operator_id, &c.pin_hash).map(drop)
}

/// Whether `pin` is the one `pin_hash` was made from.
pub fn pin_matches(operator_id: &str, pin_hash: &str, pin: &str) -> Result<bool> {
    parse_hash(operator_id, pin_hash)?;
    Ok(argon2id_matches(pin_hash, pin.as_bytes()))
}
