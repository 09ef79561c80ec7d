//! `jumun-server backup …`: the command line of [`super::backup`].

use super::backup::{backup, BackupReport};
use crate::db::DatabaseLocation;
use std::path::PathBuf;
use std::process::ExitCode;

/// Usage of `jumun-server backup`.
pub const USAGE: &str = "\
jumun-server backup — a consistent copy of the SQLite database, taken while the server runs

USAGE:
    jumun-server backup [--data-dir DIR] --to FILE

OPTIONS:
    --data-dir DIR   the server's data directory   [env JUMUN_DATA_DIR, default data]
    --to FILE        the backup to write; it must not exist (never overwritten)
    -h, --help       print this help

The server keeps serving and writing; the file holds every transaction committed when the copy
began. The secret key (secret.key in the data directory, or JUMUN_SECRET_KEY) is NOT in the
backup: keep a copy of it apart. To restore: stop the server, move jumun.sqlite3,
jumun.sqlite3-wal and jumun.sqlite3-shm out of the data directory, copy FILE there as
jumun.sqlite3, put the same secret key back, start the server.

A server on PostgreSQL (DATABASE_URL) is backed up with pg_dump instead; this command refuses.
";

/// What `jumun-server backup …` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackupInvocation {
    /// Copy the database of `data_dir` to `to`.
    Run {
        /// The server's data directory.
        data_dir: PathBuf,
        /// The new backup file.
        to: PathBuf,
    },
    /// Print usage.
    Help,
}

/// Arguments `jumun-server backup` cannot use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BackupArgError {
    /// Unknown flag.
    #[error("unknown backup option {0:?}; run `jumun-server backup --help`")]
    Unknown(String),
    /// A flag without its value.
    #[error("backup option {0} needs a value")]
    Missing(String),
    /// No destination.
    #[error("say where to write the backup: jumun-server backup --to FILE")]
    NoDestination,
    /// The server's database is PostgreSQL, which this command does not copy.
    #[error(
        "the server's database is {location}; jumun-server backup copies SQLite only. Back \
         PostgreSQL up with its own tool while the server runs: pg_dump --format=custom \
         --file=jumun.pgdump \"$DATABASE_URL\" (restore into an empty database with \
         pg_restore --dbname=URL jumun.pgdump)"
    )]
    Postgres {
        /// The database, its password hidden.
        location: String,
    },
}

/// Parses the arguments after `backup`, with the server's environment (`JUMUN_DATA_DIR`,
/// `DATABASE_URL`) as defaults, so the command sees the data directory the server sees.
pub fn parse<I, E>(args: I, env: E) -> Result<BackupInvocation, BackupArgError>
where
    I: IntoIterator<Item = String>,
    E: Fn(&str) -> Option<String>,
{
    let mut data_dir = env("JUMUN_DATA_DIR").map(PathBuf::from);
    let mut database_url = env("DATABASE_URL").filter(|url| !url.trim().is_empty());
    let mut to = None;
    let mut args = args.into_iter();
    while let Some(flag) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .ok_or_else(|| BackupArgError::Missing(name.to_owned()))
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(BackupInvocation::Help),
            "--data-dir" => data_dir = Some(PathBuf::from(value("--data-dir")?)),
            "--to" => to = Some(PathBuf::from(value("--to")?)),
            // Accepted so the server's own command line can be reused, and refused with advice.
            "--database-url" => database_url = Some(value("--database-url")?),
            other => return Err(BackupArgError::Unknown(other.to_owned())),
        }
    }
    if let Some(url) = database_url {
        return Err(BackupArgError::Postgres {
            location: DatabaseLocation::Postgres { url }.describe(),
        });
    }
    Ok(BackupInvocation::Run {
        data_dir: data_dir.unwrap_or_else(|| PathBuf::from("data")),
        to: to.ok_or(BackupArgError::NoDestination)?,
    })
}

/// Runs `jumun-server backup` with the arguments after `backup`: 0 when the backup is written,
/// 1 when it failed, 2 when the arguments are wrong.
pub fn run(args: Vec<String>) -> ExitCode {
    match parse(args, |k| std::env::var(k).ok()) {
        Ok(BackupInvocation::Help) => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        Ok(BackupInvocation::Run { data_dir, to }) => match backup(&data_dir, &to) {
            Ok(report) => {
                print!("{}", describe(&report));
                ExitCode::SUCCESS
            }
            Err(err) => {
                eprintln!("jumun-server backup: {err}");
                ExitCode::FAILURE
            }
        },
        Err(err) => {
            eprintln!("jumun-server backup: {err}");
            ExitCode::from(2)
        }
    }
}

/// What the operator reads after a backup, the key reminder included.
fn describe(report: &BackupReport) -> String {
    let key = match &report.key_file {
        Some(path) => format!(
            "The secret key is not in the backup: keep a copy of {} apart from it.",
            path.display()
        ),
        None => {
            "The secret key is not in the backup: keep JUMUN_SECRET_KEY apart from it.".to_owned()
        }
    };
    format!(
        "backed up {} to {}: {} bytes, schema version {}, {} stores, {} events, integrity ok\n{key}\n",
        report.database.display(),
        report.destination.display(),
        report.bytes,
        report.schema_version,
        report.stores,
        report.events,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_data_dir_comes_from_the_flag_or_the_servers_environment() {
        let env = |k: &str| (k == "JUMUN_DATA_DIR").then(|| "/var/lib/jumun".to_owned());
        assert_eq!(
            parse(args(&["--to", "/backups/b.sqlite3"]), env),
            Ok(BackupInvocation::Run {
                data_dir: "/var/lib/jumun".into(),
                to: "/backups/b.sqlite3".into()
            })
        );
        assert_eq!(
            parse(args(&["--data-dir", "d", "--to", "b"]), env),
            Ok(BackupInvocation::Run {
                data_dir: "d".into(),
                to: "b".into()
            })
        );
        assert_eq!(
            parse(args(&["--to", "b"]), |_| None),
            Ok(BackupInvocation::Run {
                data_dir: "data".into(),
                to: "b".into()
            })
        );
        assert_eq!(parse(args(&["-h"]), |_| None), Ok(BackupInvocation::Help));
    }

    #[test]
    fn missing_or_unknown_arguments_are_explained() {
        assert_eq!(
            parse(args(&[]), |_| None),
            Err(BackupArgError::NoDestination)
        );
        assert_eq!(
            parse(args(&["--to"]), |_| None),
            Err(BackupArgError::Missing("--to".into()))
        );
        assert_eq!(
            parse(args(&["--force", "--to", "b"]), |_| None),
            Err(BackupArgError::Unknown("--force".into()))
        );
    }

    #[test]
    fn a_postgres_server_is_pointed_to_pg_dump_without_showing_its_password() {
        let env =
            |k: &str| (k == "DATABASE_URL").then(|| "postgres://jumun:s3cret@db/jumun".to_owned());
        let err = parse(args(&["--to", "b"]), env).unwrap_err();
        let message = err.to_string();
        assert!(matches!(err, BackupArgError::Postgres { .. }), "{err:?}");
        assert!(message.contains("pg_dump"), "{message}");
        assert!(!message.contains("s3cret"), "{message}");
        let err = parse(
            args(&["--database-url", "postgres://u@db/x", "--to", "b"]),
            |_| None,
        )
        .unwrap_err();
        assert!(err.to_string().contains("pg_dump"), "{err}");
    }

    #[test]
    fn the_report_names_the_key_to_keep_apart() {
        let report = BackupReport {
            database: "data/jumun.sqlite3".into(),
            destination: "b.sqlite3".into(),
            bytes: 4096,
            schema_version: 7,
            stores: 1,
            events: 12,
            key_file: Some("data/secret.key".into()),
        };
        let text = describe(&report);
        assert!(text.contains("12 events"), "{text}");
        assert!(text.contains("keep a copy of data/secret.key"), "{text}");
        let text = describe(&BackupReport {
            key_file: None,
            ..report
        });
        assert!(text.contains("JUMUN_SECRET_KEY"), "{text}");
    }
}
