//! `jumun-server backup …` and `jumun-server copy-to-postgres …`: the command lines of
//! [`super::backup`] and [`super::to_postgres`].

use super::backup::{backup, BackupReport};
use super::to_postgres::copy_to_postgres;
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

/// Usage of `jumun-server copy-to-postgres`.
pub const COPY_USAGE: &str = "\
jumun-server copy-to-postgres — move a SQLite data store into an empty PostgreSQL database

USAGE:
    jumun-server copy-to-postgres [--data-dir DIR] --database-url URL

OPTIONS:
    --data-dir DIR       the data directory of the SQLite server, which must be STOPPED
                                              [env JUMUN_DATA_DIR, default data]
    --database-url URL   an EMPTY PostgreSQL database: postgres://user:password@host:port/db
                                              [env DATABASE_URL]
    -h, --help           print this help

Every table is copied in one transaction, after this build's migrations create the schema;
a database with tables in it is refused. Then start the server with DATABASE_URL set and the
same secret key (secret.key in the data directory, or JUMUN_SECRET_KEY).
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

/// What `jumun-server copy-to-postgres …` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CopyInvocation {
    /// Copy the database of `data_dir` into `database_url`.
    Run {
        /// The stopped SQLite server's data directory.
        data_dir: PathBuf,
        /// The empty PostgreSQL database.
        database_url: String,
    },
    /// Print usage.
    Help,
}

/// Arguments a maintenance command cannot use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArgError {
    /// Unknown flag.
    #[error("unknown option {flag:?}; run `jumun-server {command} --help`")]
    Unknown {
        /// The command.
        command: &'static str,
        /// The flag.
        flag: String,
    },
    /// A flag without its value.
    #[error("option {0} needs a value")]
    Missing(String),
    /// No destination.
    #[error("say where to write the backup: jumun-server backup --to FILE")]
    NoDestination,
    /// No PostgreSQL database to copy into.
    #[error(
        "say which empty PostgreSQL database to copy into: --database-url URL (or DATABASE_URL)"
    )]
    NoDatabaseUrl,
    /// The server's database is PostgreSQL, which `backup` does not copy.
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

/// The `--data-dir` and `--database-url` of a maintenance command (the server's own flags,
/// with its environment as defaults, so the command sees what the server sees) and the
/// values of its `extra` flags; `None` when help is asked for.
type Flags = (PathBuf, Option<String>, Vec<Option<String>>);

fn read_flags<I, E>(
    command: &'static str,
    args: I,
    env: E,
    extra: &[&str],
) -> Result<Option<Flags>, ArgError>
where
    I: IntoIterator<Item = String>,
    E: Fn(&str) -> Option<String>,
{
    let mut data_dir = env("JUMUN_DATA_DIR").map(PathBuf::from);
    let mut database_url = env("DATABASE_URL").filter(|url| !url.trim().is_empty());
    let mut values = vec![None; extra.len()];
    let mut args = args.into_iter();
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| ArgError::Missing(flag.clone()));
        match flag.as_str() {
            "-h" | "--help" => return Ok(None),
            "--data-dir" => data_dir = Some(PathBuf::from(value()?)),
            "--database-url" => database_url = Some(value()?),
            other => match extra.iter().position(|name| *name == other) {
                Some(index) => values[index] = Some(value()?),
                None => {
                    return Err(ArgError::Unknown {
                        command,
                        flag: other.to_owned(),
                    })
                }
            },
        }
    }
    Ok(Some((
        data_dir.unwrap_or_else(|| PathBuf::from("data")),
        database_url,
        values,
    )))
}

/// Parses the arguments after `backup`.
pub fn parse<I, E>(args: I, env: E) -> Result<BackupInvocation, ArgError>
where
    I: IntoIterator<Item = String>,
    E: Fn(&str) -> Option<String>,
{
    let Some((data_dir, database_url, mut values)) = read_flags("backup", args, env, &["--to"])?
    else {
        return Ok(BackupInvocation::Help);
    };
    if let Some(url) = database_url {
        return Err(ArgError::Postgres {
            location: DatabaseLocation::Postgres { url }.describe(),
        });
    }
    let to = values.pop().flatten().ok_or(ArgError::NoDestination)?;
    Ok(BackupInvocation::Run {
        data_dir,
        to: PathBuf::from(to),
    })
}

/// Parses the arguments after `copy-to-postgres`.
pub fn parse_copy<I, E>(args: I, env: E) -> Result<CopyInvocation, ArgError>
where
    I: IntoIterator<Item = String>,
    E: Fn(&str) -> Option<String>,
{
    let Some((data_dir, database_url, _)) = read_flags("copy-to-postgres", args, env, &[])? else {
        return Ok(CopyInvocation::Help);
    };
    Ok(CopyInvocation::Run {
        data_dir,
        database_url: database_url.ok_or(ArgError::NoDatabaseUrl)?,
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

/// Runs `jumun-server copy-to-postgres` with the arguments after it: 0 when every table is
/// copied, 1 when nothing was, 2 when the arguments are wrong.
pub fn run_copy(args: Vec<String>) -> ExitCode {
    let (data_dir, database_url) = match parse_copy(args, |k| std::env::var(k).ok()) {
        Ok(CopyInvocation::Help) => {
            print!("{COPY_USAGE}");
            return ExitCode::SUCCESS;
        }
        Ok(CopyInvocation::Run {
            data_dir,
            database_url,
        }) => (data_dir, database_url),
        Err(err) => {
            eprintln!("jumun-server copy-to-postgres: {err}");
            return ExitCode::from(2);
        }
    };
    let now = chrono::Utc::now().to_rfc3339();
    // On a plain thread: the PostgreSQL client runs a runtime of its own, which may not start
    // inside the one `main` runs.
    let copied = std::thread::scope(|scope| {
        scope
            .spawn(|| copy_to_postgres(&data_dir, &database_url, &now))
            .join()
    });
    match copied {
        Ok(Ok(report)) => {
            let rows: u64 = report.tables.iter().map(|(_, rows)| rows).sum();
            println!(
                "copied {} into {}: {} tables, {rows} rows, schema version {}",
                report.database.display(),
                report.target,
                report.tables.len(),
                report.schema_version
            );
            for (table, rows) in &report.tables {
                println!("  {table}: {rows}");
            }
            println!(
                "Start the server with DATABASE_URL set and the same secret key (secret.key in \
                 the data directory, or JUMUN_SECRET_KEY)."
            );
            ExitCode::SUCCESS
        }
        Ok(Err(err)) => {
            eprintln!("jumun-server copy-to-postgres: {err}");
            ExitCode::FAILURE
        }
        Err(_) => {
            eprintln!("jumun-server copy-to-postgres: the copy failed unexpectedly; nothing was committed");
            ExitCode::FAILURE
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
        assert_eq!(parse(args(&[]), |_| None), Err(ArgError::NoDestination));
        assert_eq!(
            parse(args(&["--to"]), |_| None),
            Err(ArgError::Missing("--to".into()))
        );
        assert_eq!(
            parse(args(&["--force", "--to", "b"]), |_| None),
            Err(ArgError::Unknown {
                command: "backup",
                flag: "--force".into()
            })
        );
    }

    #[test]
    fn a_postgres_server_is_pointed_to_pg_dump_without_showing_its_password() {
        let env =
            |k: &str| (k == "DATABASE_URL").then(|| "postgres://jumun:s3cret@db/jumun".to_owned());
        let err = parse(args(&["--to", "b"]), env).unwrap_err();
        let message = err.to_string();
        assert!(matches!(err, ArgError::Postgres { .. }), "{err:?}");
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
    fn the_copy_needs_a_database_url_from_the_flag_or_the_environment() {
        assert_eq!(
            parse_copy(args(&["--data-dir", "d"]), |_| None),
            Err(ArgError::NoDatabaseUrl)
        );
        let env = |k: &str| (k == "DATABASE_URL").then(|| "postgres://u@db/jumun".to_owned());
        assert_eq!(
            parse_copy(args(&[]), env),
            Ok(CopyInvocation::Run {
                data_dir: "data".into(),
                database_url: "postgres://u@db/jumun".into()
            })
        );
        assert_eq!(parse_copy(args(&["--help"]), env), Ok(CopyInvocation::Help));
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
