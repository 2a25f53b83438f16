//! Who may sign in to the console: supervisor and viewer accounts with Argon2id passwords, and
//! the lock that follows repeated wrong passwords.

use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use dockhand_protocol::credential::{argon2id, argon2id_matches};

use crate::body::short_text;
use crate::error::{HubError, HubResult};
use crate::store::{ConsoleUser, HubStore};

/// A supervisor acts (resolves, releases, assigns, revokes); a viewer reads.
pub const SUPERVISOR: &str = "supervisor";
/// Reads every page, acts on none.
pub const VIEWER: &str = "viewer";
/// Shortest password.
pub const MIN_PASSWORD: usize = 10;
/// Longest password (Argon2 hashes any length; a bound keeps a request's cost known).
pub const MAX_PASSWORD: usize = 128;
/// Longest account name.
pub const MAX_NAME: usize = 64;
/// Wrong passwords in a row that lock an account.
pub const LOCK_AFTER: i64 = 5;
/// How long a lock lasts.
pub const LOCK_FOR: Duration = Duration::from_secs(15 * 60);

/// Refuses a name that is empty, long, or holds anything but letters, digits and `.-_@`.
pub fn check_name(name: &str) -> HubResult<()> {
    let ok = !name.is_empty()
        && name.chars().count() <= MAX_NAME
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | '@'));
    if ok {
        Ok(())
    } else {
        Err(HubError::BadRequest(format!(
            "account name {:?} must be 1 to {MAX_NAME} letters, digits, '.', '-', '_' or '@'",
            short_text(name, 40)
        )))
    }
}

/// Refuses a role other than supervisor or viewer.
pub fn check_role(role: &str) -> HubResult<()> {
    if role == SUPERVISOR || role == VIEWER {
        Ok(())
    } else {
        Err(HubError::BadRequest(format!(
            "role {:?} is neither {SUPERVISOR} nor {VIEWER}",
            short_text(role, 40)
        )))
    }
}

/// Refuses a password shorter than [`MIN_PASSWORD`] or longer than [`MAX_PASSWORD`] characters
/// (saying nothing of the password itself).
pub fn check_password(password: &str) -> HubResult<()> {
    let n = password.chars().count();
    if (MIN_PASSWORD..=MAX_PASSWORD).contains(&n) {
        Ok(())
    } else {
        Err(HubError::BadRequest(format!(
            "a password must have {MIN_PASSWORD} to {MAX_PASSWORD} characters; this one has {n}"
        )))
    }
}

/// Adds an account, or with `replace` sets an existing one's role and password (signing it out
/// everywhere and unlocking it). Whether anything was written: `false` when the name is taken and
/// `replace` was not asked.
pub fn put_user(
    store: &dyn HubStore,
    name: &str,
    role: &str,
    password: &str,
    replace: bool,
) -> HubResult<bool> {
    check_name(name)?;
    check_role(role)?;
    check_password(password)?;
    let salt: [u8; 16] = rand::random();
    let password_hash = argon2id(password.as_bytes(), &salt)
        .map_err(|e| HubError::Storage(format!("hashing the password of {name}: {e}")))?;
    store.put_console_user(
        &ConsoleUser {
            name: name.into(),
            role: role.into(),
            password_hash,
            failures: 0,
            locked_until: None,
            created_at: crate::now_text(),
        },
        replace,
    )
}

/// What a sign-in attempt found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignIn {
    /// The password is right.
    Admitted(ConsoleUser),
    /// No such account, or a wrong password (the answer does not say which).
    Refused,
    /// Too many wrong passwords: refused until then, whatever the password.
    Locked(String),
}

/// Checks `password` for `name` from `address` at `now`, counting a wrong one towards the lock
/// of the account for that address (wrong passwords from one address never lock it elsewhere).
pub fn sign_in(
    store: &dyn HubStore,
    name: &str,
    password: &str,
    address: &str,
    now: DateTime<Utc>,
) -> HubResult<SignIn> {
    if password.chars().count() > MAX_PASSWORD || name.chars().count() > MAX_NAME {
        return Ok(SignIn::Refused);
    }
    let Some(user) = store.console_user(name)? else {
        // Spend the time a real check takes: the answer's delay does not tell names apart.
        let _ = argon2id_matches(decoy_hash(), password.as_bytes());
        return Ok(SignIn::Refused);
    };
    let stamp = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Millis, true);
    if let Some(until) = store.console_lock(name, address)?
        && until > stamp(now)
    {
        // The time a check takes, as for any other answer.
        let _ = argon2id_matches(decoy_hash(), password.as_bytes());
        return Ok(SignIn::Locked(until));
    }
    if argon2id_matches(&user.password_hash, password.as_bytes()) {
        store.console_signed_in(name, address)?;
        return Ok(SignIn::Admitted(user));
    }
    let lock_end = now + chrono::Duration::from_std(LOCK_FOR).unwrap_or_default();
    Ok(
        match store.console_sign_in_failed(name, address, LOCK_AFTER, &stamp(lock_end))? {
            Some(until) if until > stamp(now) => SignIn::Locked(until),
            _ => SignIn::Refused,
        },
    )
}

/// A hash of a random secret at the hub's cost, checked against when the name is unknown.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| {
        let secret: [u8; 16] = rand::random();
        argon2id(&secret, &secret).unwrap_or_default()
    })
}
