//! A consistent copy of the SQLite database, taken while the server keeps writing.
//!
//! The copy is SQLite's `VACUUM INTO` run on a connection of its own: it reads one snapshot of
//! the database (the server's WAL lets a reader and the writer go on side by side), so the
//! file holds exactly the transactions committed when it started, never half of one — every
//! event up to some seq, with the operations' answers and the id blocks that go with them. The
//! server is not paused and is never written to.
//!
//! The copy is written under a temporary name beside the destination, checked (SQLite's
//! `integrity_check`, the schema version), synced to disk and only then linked to the
//! destination's name, which must not exist: a backup never replaces a file, and a failed one
//! leaves nothing behind under that name.
//!
//! The secret key that encrypts marketplace credentials is not in the database, so it is not in
//! the backup either; it is kept apart on purpose ([`crate::secret_key`]).

use super::{open_source, SourceError};
use crate::secret_key::KEY_FILE;
use rusqlite::{Connection, OpenFlags};
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

/// What a finished backup holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupReport {
    /// The live database that was copied.
    pub database: PathBuf,
    /// The backup file written.
    pub destination: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
    /// The schema version it is at (the server that restores it must know this version).
    pub schema_version: i64,
    /// How many stores it holds.
    pub stores: i64,
    /// How many events it holds, over every store.
    pub events: i64,
    /// The data directory's key file, when there is one: it is not in the backup and must be
    /// kept apart (unless the server takes its key from `JUMUN_SECRET_KEY`).
    pub key_file: Option<PathBuf>,
}

/// Why a backup was not made. Nothing is left at the destination when one fails.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The data directory or its database cannot be read.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// The destination exists; it is never overwritten.
    #[error(
        "{0} already exists; a backup never overwrites a file: choose a new name (with the \
         date, say) or move that file away first"
    )]
    DestinationExists(PathBuf),
    /// The destination's folder does not exist.
    #[error("the folder {0} does not exist; create it first or choose another destination")]
    NoDestinationDir(PathBuf),
    /// The destination is a folder or has no file name.
    #[error("{0} is not a file name to write the backup to; give a path such as /backups/jumun-2026-11-24.sqlite3")]
    NotAFileName(PathBuf),
    /// The destination's disk filled up: nothing was kept.
    #[error(
        "the disk holding {0} is full; the partial backup was removed. Free some space or \
         write the backup to another disk"
    )]
    DiskFull(PathBuf),
    /// SQLite could not open, read or copy the database.
    #[error("cannot back up {database}: {source}")]
    Sqlite {
        /// The live database.
        database: PathBuf,
        /// What SQLite said.
        #[source]
        source: rusqlite::Error,
    },
    /// The written copy failed its check; it was removed.
    #[error("the copy of {database} failed SQLite's integrity check ({problem}); it was removed. Is the disk healthy? Try again, to another disk if it fails again")]
    Damaged {
        /// The live database.
        database: PathBuf,
        /// The first problem the check reported.
        problem: String,
    },
    /// A file operation on the backup failed.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// On which file.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
}

/// Copies the SQLite database of `data_dir` to the new file `destination` while the server may
/// be running and writing; see the module docs.
pub fn backup(data_dir: &Path, destination: &Path) -> Result<BackupReport, BackupError> {
    let (database, source) = open_source(data_dir)?;
    let partial = partial_path(destination)?;
    // Claims the temporary name (VACUUM INTO accepts an empty file), so two backups to the same
    // destination cannot write into each other.
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&partial)
        .map_err(|source| io("create", &partial, source))?;
    let written =
        copy_and_check(source, &database, &partial).and_then(|(schema_version, stores, events)| {
            sync_file(&partial)?;
            put_in_place(&partial, destination)?;
            Ok((schema_version, stores, events))
        });
    let (schema_version, stores, events) = match written {
        Ok(counts) => counts,
        Err(err) => {
            // Best effort: the error says what went wrong; a leftover temporary file would only
            // be clutter with a name that says what it is.
            let _ = std::fs::remove_file(&partial);
            return Err(err);
        }
    };
    let bytes = std::fs::metadata(destination)
        .map_err(|source| io("read the size of", destination, source))?
        .len();
    let key_file = Some(data_dir.join(KEY_FILE)).filter(|path| path.is_file());
    Ok(BackupReport {
        database,
        destination: destination.to_owned(),
        bytes,
        schema_version,
        stores,
        events,
        key_file,
    })
}

/// The temporary name the copy is written under: beside the destination (same disk, so it
/// can be linked into place), hidden, and saying what it is.
fn partial_path(destination: &Path) -> Result<PathBuf, BackupError> {
    if std::fs::symlink_metadata(destination).is_ok() {
        return Err(BackupError::DestinationExists(destination.to_owned()));
    }
    let Some(name) = destination.file_name() else {
        return Err(BackupError::NotAFileName(destination.to_owned()));
    };
    let folder = match destination.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
        _ => PathBuf::from("."),
    };
    if !folder.is_dir() {
        return Err(BackupError::NoDestinationDir(folder));
    }
    let mut partial_name = std::ffi::OsString::from(".");
    partial_name.push(name);
    partial_name.push(format!(".partial-{}", std::process::id()));
    Ok(folder.join(partial_name))
}

/// Writes one snapshot of `database` into the empty file `partial` and checks it. Returns the
/// copy's schema version, store count and event count.
fn copy_and_check(
    source: Connection,
    database: &Path,
    partial: &Path,
) -> Result<(i64, i64, i64), BackupError> {
    let sqlite = |source| BackupError::Sqlite {
        database: database.to_owned(),
        source,
    };
    let Some(target) = partial.to_str() else {
        return Err(BackupError::NotAFileName(partial.to_owned()));
    };
    source
        .execute("VACUUM INTO ?1", [target])
        .map_err(|err| match err.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DiskFull) => BackupError::DiskFull(partial.to_owned()),
            _ => sqlite(err),
        })?;
    drop(source);
    check_copy(database, partial)
}

/// Opens the copy read-only and runs SQLite's full integrity check on it.
fn check_copy(database: &Path, copy: &Path) -> Result<(i64, i64, i64), BackupError> {
    let sqlite = |source| BackupError::Sqlite {
        database: database.to_owned(),
        source,
    };
    let conn =
        Connection::open_with_flags(copy, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(sqlite)?;
    let verdict: String = conn
        .query_row("PRAGMA integrity_check(1)", [], |row| row.get(0))
        .map_err(sqlite)?;
    if verdict != "ok" {
        return Err(BackupError::Damaged {
            database: database.to_owned(),
            problem: verdict,
        });
    }
    conn.query_row(
        "SELECT (SELECT COALESCE(MAX(version), 0) FROM schema_migrations),
                (SELECT COUNT(*) FROM stores),
                (SELECT COUNT(*) FROM events)",
        [],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )
    .map_err(sqlite)
}

/// Flushes a written file to the disk, so a crash right after the backup cannot lose it.
fn sync_file(path: &Path) -> Result<(), BackupError> {
    File::open(path)
        .and_then(|file| file.sync_all())
        .map_err(|source| io("sync", path, source))
}

/// Gives the checked copy its final name without ever replacing a file there: a hard link
/// fails when the name is taken, even by a file that appeared during the copy.
fn put_in_place(partial: &Path, destination: &Path) -> Result<(), BackupError> {
    match std::fs::hard_link(partial, destination) {
        Ok(()) => {
            std::fs::remove_file(partial).map_err(|source| io("remove", partial, source))?;
        }
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(BackupError::DestinationExists(destination.to_owned()));
        }
        // A file system without hard links: check, then rename (which would replace a file
        // created in between — the rare race is the price of such a file system).
        Err(_) => {
            if std::fs::symlink_metadata(destination).is_ok() {
                return Err(BackupError::DestinationExists(destination.to_owned()));
            }
            std::fs::rename(partial, destination)
                .map_err(|source| io("rename the backup to", destination, source))?;
        }
    }
    // The new name itself is made durable by syncing its folder (on Unix).
    #[cfg(unix)]
    if let Some(folder) = destination.parent().filter(|p| !p.as_os_str().is_empty()) {
        File::open(folder)
            .and_then(|dir| dir.sync_all())
            .map_err(|source| io("sync the folder", folder, source))?;
    }
    Ok(())
}

fn io(action: &'static str, path: &Path, source: std::io::Error) -> BackupError {
    BackupError::Io {
        action,
        path: path.to_owned(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::migrations::MIGRATIONS;
    use crate::db::{Database, DATABASE_FILE};

    const NOW: &str = "2026-11-24T00:00:00Z";

    /// No temporary copy is left in `dir`, whether the backup succeeded or not.
    fn assert_no_partial_files(dir: &Path) {
        let leftovers: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .filter(|name| name.to_string_lossy().contains("partial"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }

    #[tokio::test]
    async fn a_copy_of_an_open_database_is_checked_and_counts_what_it_holds() {
        let dir = tempfile::tempdir().unwrap();
        let data_dir = dir.path().join("data");
        let db = Database::open(&data_dir, NOW).unwrap();
        db.with(|c| {
            c.execute(
                "INSERT INTO stores (code, name, created_at) VALUES ('s1', '상점', ?1)",
                crate::params![NOW],
            )?;
            Ok(())
        })
        .await
        .unwrap();
        let destination = dir.path().join("backup.sqlite3");
        let report = backup(&data_dir, &destination).unwrap();
        assert_eq!(report.stores, 1);
        assert_eq!(report.events, 0);
        assert_eq!(report.schema_version, MIGRATIONS.len() as i64);
        assert_eq!(report.bytes, std::fs::metadata(&destination).unwrap().len());
        assert_eq!(report.key_file, None, "no server has made a key here");
        assert_no_partial_files(dir.path());
    }

    #[test]
    fn an_existing_destination_is_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let data_dir = dir.path().join("data");
        drop(Database::open(&data_dir, NOW).unwrap());
        let destination = dir.path().join("backup.sqlite3");
        std::fs::write(&destination, b"yesterday's backup").unwrap();
        let err = backup(&data_dir, &destination).unwrap_err();
        assert!(matches!(err, BackupError::DestinationExists(_)), "{err}");
        assert!(err.to_string().contains("never overwrites"), "{err}");
        assert_eq!(std::fs::read(&destination).unwrap(), b"yesterday's backup");
    }

    #[test]
    fn a_file_that_appears_during_the_copy_is_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let partial = dir.path().join(".b.partial");
        let destination = dir.path().join("b");
        std::fs::write(&partial, b"copy").unwrap();
        std::fs::write(&destination, b"someone else's").unwrap();
        let err = put_in_place(&partial, &destination).unwrap_err();
        assert!(matches!(err, BackupError::DestinationExists(_)), "{err}");
        assert_eq!(std::fs::read(&destination).unwrap(), b"someone else's");
    }

    #[test]
    fn a_wrong_data_dir_or_destination_is_explained() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nowhere");
        let to = dir.path().join("b.sqlite3");
        let err = backup(&missing, &to).unwrap_err();
        assert!(
            matches!(err, BackupError::Source(SourceError::NoDataDir(_))),
            "{err}"
        );
        assert!(err.to_string().contains("--data-dir"), "{err}");

        let empty = dir.path().join("empty");
        std::fs::create_dir(&empty).unwrap();
        let err = backup(&empty, &to).unwrap_err();
        assert!(
            matches!(err, BackupError::Source(SourceError::NoDatabase(_))),
            "{err}"
        );
        assert!(err.to_string().contains("pg_dump"), "{err}");

        let not_jumun = dir.path().join("other");
        std::fs::create_dir(&not_jumun).unwrap();
        Connection::open(not_jumun.join(DATABASE_FILE))
            .unwrap()
            .execute_batch("CREATE TABLE t (x INTEGER)")
            .unwrap();
        let err = backup(&not_jumun, &to).unwrap_err();
        assert!(
            matches!(err, BackupError::Source(SourceError::NotJumun(_))),
            "{err}"
        );
        assert!(!to.exists(), "a refused backup writes nothing");

        let data_dir = dir.path().join("data");
        drop(Database::open(&data_dir, NOW).unwrap());
        let err = backup(&data_dir, &dir.path().join("no-such-folder/b.sqlite3")).unwrap_err();
        assert!(matches!(err, BackupError::NoDestinationDir(_)), "{err}");
        let err = backup(&data_dir, dir.path()).unwrap_err();
        assert!(matches!(err, BackupError::DestinationExists(_)), "{err}");
        assert_no_partial_files(dir.path());
    }
}
