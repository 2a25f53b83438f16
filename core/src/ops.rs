//! Client operation ids: what makes a double trigger pull harmless.
//!
//! Each committed command records its operation id, the command name, a fingerprint of the command
//! and its result, in the same transaction as its effects. A replay of the same command returns the
//! recorded result and writes nothing; the same id with a different command is refused, because a
//! retry that silently did something else would be worse than an error.

use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::db::WriteTx;
use crate::error::{Error, Result};

/// SHA-256 of the command name and its JSON form; a command holding a control character in any
/// text field is refused here, before anything is written.
pub fn fingerprint<C: Serialize>(name: &str, command: &C) -> Result<String> {
    let mut hasher = Sha256::new();
    hasher.update(name.as_bytes());
    hasher.update([0u8]);
    let json = serde_json::to_vec(command)?;
    crate::typed_text::refuse_control_characters(&json)?;
    hasher.update(json);
    Ok(hex::encode(hasher.finalize()))
}

/// The first result of `op_id`, if it was committed with the same command.
pub fn replayed<R: DeserializeOwned>(
    conn: &Connection,
    op_id: Uuid,
    name: &str,
    fingerprint: &str,
) -> Result<Option<R>> {
    let found: Option<(String, String, String)> = conn
        .prepare_cached("SELECT command, fingerprint, result FROM operations WHERE op_id = ?1")?
        .query_row([op_id.to_string()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    match found {
        None => Ok(None),
        Some((command, first, result)) if command == name && first == fingerprint => {
            Ok(Some(serde_json::from_str(&result)?))
        }
        Some((command, _, _)) => Err(Error::OperationIdReused {
            op_id,
            first_command: command,
        }),
    }
}

/// Records the running command's result under its operation id.
pub fn remember<R: Serialize>(
    tx: &WriteTx<'_>,
    name: &str,
    fingerprint: &str,
    result: &R,
) -> Result<()> {
    tx.conn()
        .prepare_cached(
            "INSERT INTO operations (op_id, command, fingerprint, user_id, result, recorded_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute((
            tx.op_id().to_string(),
            name,
            fingerprint,
            tx.user_id(),
            serde_json::to_string(result)?,
            tx.now_utc_text(),
        ))?;
    Ok(())
}

/// Whether `op_id` has been committed.
pub fn is_committed(conn: &Connection, op_id: Uuid) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM operations WHERE op_id = ?1")?
        .query_row([op_id.to_string()], |_| Ok(()))
        .optional()?
        .is_some())
}
