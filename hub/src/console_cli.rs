//! `dockhand-hub user …`: the console's accounts (supervisors act, viewers read).

use std::io::BufRead;

use clap::Subcommand;
use dockhand_hub::console::accounts;

use super::Database;

#[derive(Subcommand)]
pub(crate) enum UserCommand {
    /// Add a console account. The password is read from --password-file, or else from the first
    /// line of standard input (10 to 128 characters).
    Add {
        /// The account's name (letters, digits, '.', '-', '_', '@').
        name: String,
        /// supervisor (acts: resolves, releases, assigns, revokes) or viewer (reads).
        #[arg(long)]
        role: String,
        /// A file whose first line is the password.
        #[arg(long, value_name = "FILE")]
        password_file: Option<std::path::PathBuf>,
        /// Set the role and password of an existing account (signs it out everywhere and
        /// unlocks it).
        #[arg(long)]
        replace: bool,
        #[command(flatten)]
        database: Database,
    },
    /// List the console's accounts.
    List {
        #[command(flatten)]
        database: Database,
    },
    /// Remove an account (its sessions end at once; what it did stays recorded).
    Remove {
        /// The account's name.
        name: String,
        #[command(flatten)]
        database: Database,
    },
}

fn password(file: Option<&std::path::Path>) -> Result<String, String> {
    let line = match file {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?
            .lines()
            .next()
            .unwrap_or_default()
            .to_string(),
        None => {
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
            line.trim_end_matches(['\r', '\n']).to_string()
        }
    };
    Ok(line)
}

pub(crate) fn run(command: UserCommand) -> Result<(), String> {
    match command {
        UserCommand::Add {
            name,
            role,
            password_file,
            replace,
            database,
        } => {
            accounts::check_name(&name).map_err(|e| e.to_string())?;
            accounts::check_role(&role).map_err(|e| e.to_string())?;
            let password = password(password_file.as_deref())?;
            let store = dockhand_hub::open_store(&database.database).map_err(|e| e.to_string())?;
            let written = accounts::put_user(store.as_ref(), &name, &role, &password, replace)
                .map_err(|e| e.to_string())?;
            match (written, replace) {
                (true, false) => println!("added {role} {name}: signs in at /console"),
                (true, true) => {
                    println!("set {name} as {role} with a new password; signed out everywhere")
                }
                (false, false) => {
                    return Err(format!(
                        "account {name} exists already: nothing changed (--replace sets its role and password)"
                    ));
                }
                (false, true) => return Err(format!("no account {name} to replace")),
            }
            Ok(())
        }
        UserCommand::List { database } => {
            let store =
                dockhand_hub::open_existing_store(&database.database).map_err(|e| e.to_string())?;
            let users = store.console_users().map_err(|e| e.to_string())?;
            if users.is_empty() {
                println!(
                    "no console accounts: add one with `dockhand-hub user add NAME --role supervisor`"
                );
            }
            let now = dockhand_hub::now_text();
            for u in users {
                let lock = match u.locked_until {
                    Some(until) if until > now => format!(", locked until {until}"),
                    _ => String::new(),
                };
                println!("{}\t{}\tsince {}{lock}", u.name, u.role, u.created_at);
            }
            Ok(())
        }
        UserCommand::Remove { name, database } => {
            let store =
                dockhand_hub::open_existing_store(&database.database).map_err(|e| e.to_string())?;
            if store
                .remove_console_user(&name)
                .map_err(|e| e.to_string())?
            {
                println!("removed {name}; its sessions ended");
                Ok(())
            } else {
                Err(format!("no account {name}"))
            }
        }
    }
}
