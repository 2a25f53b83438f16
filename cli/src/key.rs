//! Database keys on the command line: `--key-file FILE` or the `DOCKHAND_DB_KEY` environment
//! variable (never an argument: the process list shows arguments to every user), and
//! `dockhand rekey` to encrypt a plain database or change a key.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use dockhand_core::{Error, keys};

/// The environment variable that may hold a database key (64 hex digits or a passphrase).
pub const KEY_ENV: &str = "DOCKHAND_DB_KEY";

/// How a command gets the key of the database it opens.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct KeyArgs {
    /// File holding the database's encryption key: 64 hex digits (a raw 256-bit key) or a
    /// passphrase of 16 characters or more; a trailing newline is ignored. Or set DOCKHAND_DB_KEY.
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<PathBuf>,
}

impl KeyArgs {
    /// The key given, if any.
    pub fn key(&self) -> Result<Option<String>, Error> {
        let from_env = std::env::var(KEY_ENV).ok().filter(|k| !k.is_empty());
        match (&self.key_file, from_env) {
            (Some(_), Some(_)) => Err(Error::invalid(
                "--key-file",
                format!("{KEY_ENV} is set as well; give the key one way"),
            )),
            (Some(file), None) => read_key_file(file, "--key-file").map(Some),
            (None, env) => Ok(env),
        }
    }
}

/// Reads a key file: its text without the trailing newline.
pub fn read_key_file(file: &Path, option: &str) -> Result<String, Error> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| Error::invalid(option, format!("could not read {}: {e}", file.display())))?;
    let key = text.trim_end_matches(['\n', '\r']).to_string();
    if key.is_empty() {
        return Err(Error::invalid(
            option,
            format!("{} is empty", file.display()),
        ));
    }
    Ok(key)
}

/// Writes a new random key to `file`, which must not exist yet; readable by its owner only.
pub fn write_new_key(file: &Path) -> Result<String, Error> {
    let key = keys::generate_key();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options
        .open(file)
        .and_then(|mut f| writeln!(f, "{key}").and_then(|()| f.sync_all()));
    written.map_err(|e| {
        Error::invalid(
            "key file",
            format!("could not create {}: {e}", file.display()),
        )
    })?;
    Ok(key)
}

/// `path` with `suffix` appended to its name (`demo.db` → `demo.db.key`).
pub fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// `dockhand rekey`'s arguments.
#[derive(clap::Args)]
pub struct RekeyArgs {
    /// The device database (close every app or command using it first).
    db: PathBuf,
    /// Its key now; leave out (and unset DOCKHAND_DB_KEY) when the database is plain.
    #[command(flatten)]
    current: KeyArgs,
    /// File with the new key.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["generate_key", "decrypt"])]
    new_key_file: Option<PathBuf>,
    /// Make a new random key and write it to FILE (which must not exist; mode 0600).
    #[arg(long, value_name = "FILE", conflicts_with = "decrypt")]
    generate_key: Option<PathBuf>,
    /// Write the database plain (a development copy: anyone with the file reads everything).
    #[arg(long)]
    decrypt: bool,
}

/// Encrypts, rekeys or decrypts a database file, replacing it only once the new one is whole.
pub fn rekey(args: &RekeyArgs) -> Result<ExitCode, Error> {
    let current = args.current.key()?;
    let new = match (&args.new_key_file, &args.generate_key, args.decrypt) {
        (Some(file), _, _) => Some(read_key_file(file, "--new-key-file")?),
        (None, Some(_), _) => None,
        (None, None, true) => None,
        (None, None, false) => {
            return Err(Error::invalid(
                "new key",
                "give --new-key-file FILE, --generate-key FILE, or --decrypt",
            ));
        }
    };
    // Check the current key opens the database before a new key file is made.
    if let Some(file) = &args.generate_key {
        dockhand_core::Store::open_read_only(
            &args.db,
            current.as_deref(),
            std::sync::Arc::new(dockhand_core::SystemClock),
        )?;
        let key = write_new_key(file)?;
        let changed = keys::change_key(&args.db, current.as_deref(), Some(&key));
        if changed.is_err() {
            let _ = std::fs::remove_file(file);
        }
        return report(&args.db, changed?, Some(file));
    }
    let changed = keys::change_key(&args.db, current.as_deref(), new.as_deref())?;
    report(&args.db, changed, None)
}

fn report(
    db: &Path,
    changed: keys::KeyChanged,
    key_file: Option<&Path>,
) -> Result<ExitCode, Error> {
    println!(
        "{}: device {}, {} events, {} bytes, now {}",
        db.display(),
        changed.device_id,
        changed.events,
        changed.bytes,
        if changed.encrypted {
            "encrypted"
        } else {
            "plain"
        }
    );
    if let Some(file) = key_file {
        println!("new key written to {}", file.display());
    }
    Ok(ExitCode::SUCCESS)
}
