//! Moving a SQLite data store into PostgreSQL: every table of a stopped server's SQLite
//! database copied into an empty PostgreSQL database, in one transaction.
//!
//! The PostgreSQL schema is made by this build's own migrations (`migrations/postgres/`),
//! recorded with their PostgreSQL checksums, so a server started on it afterwards finds every
//! migration applied and verified. Tables are copied parents first (each table after the tables
//! its foreign keys name), row by row with their ids, and the identity sequences are moved past
//! the copied ids so new rows do not collide. Row counts are compared before the commit; any
//! failure rolls everything back and leaves the target empty. The SQLite side is read in one
//! snapshot and never written.
//!
//! The secret key is in neither database: the server on PostgreSQL needs the same key
//! (`JUMUN_SECRET_KEY`, or `secret.key` in its data directory).

use super::{open_source, SourceError};
use crate::db::migrations::{self, MIGRATIONS};
use crate::db::{self, Conn, DatabaseError, DatabaseLocation, SqlError};
use crate::params;
use std::path::{Path, PathBuf};

/// What a finished copy moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyReport {
    /// The SQLite database that was read.
    pub database: PathBuf,
    /// The PostgreSQL database written, its password hidden.
    pub target: String,
    /// The schema version both are at.
    pub schema_version: i64,
    /// Each table copied, in the order copied, with its row count.
    pub tables: Vec<(String, u64)>,
}

/// Why nothing was copied. The PostgreSQL database is left as it was.
#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    /// The data directory or its database cannot be read.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// The SQLite database is at another schema version than this build's.
    #[error("{database} is at schema version {found}, this jumun-server's is {known}: {advice}")]
    OtherVersion {
        /// The SQLite database.
        database: PathBuf,
        /// Its version.
        found: i64,
        /// This build's.
        known: i64,
        /// What to do.
        advice: &'static str,
    },
    /// The PostgreSQL database cannot be reached.
    #[error(transparent)]
    Target(#[from] DatabaseError),
    /// The PostgreSQL database already has tables.
    #[error(
        "{location} is not empty ({tables} tables, {example} among them); the copy goes only \
         into an empty database: create a new one (createdb jumun) and give its URL"
    )]
    TargetNotEmpty {
        /// The target, its password hidden.
        location: String,
        /// How many tables it has.
        tables: i64,
        /// One of them.
        example: String,
    },
    /// The two schemas do not have the same tables.
    #[error(
        "table {table} is in the {present} schema but not in the {missing} one; was the SQLite \
         database changed by hand?"
    )]
    SchemaMismatch {
        /// The table.
        table: String,
        /// Where it is.
        present: &'static str,
        /// Where it is not.
        missing: &'static str,
    },
    /// A value of a kind the schema does not use.
    #[error("{table}.{column} holds {kind}, which no Jumun table holds; was the SQLite database changed by hand?")]
    UnexpectedValue {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// What it holds.
        kind: &'static str,
    },
    /// A table did not arrive whole.
    #[error("{table} has {expected} rows in SQLite but {found} in PostgreSQL after the copy")]
    CountMismatch {
        /// The table.
        table: String,
        /// Rows read.
        expected: u64,
        /// Rows found.
        found: u64,
    },
    /// A statement failed.
    #[error("{during}: {source}; nothing was copied")]
    Sql {
        /// What was being done.
        during: String,
        /// What the engine said.
        #[source]
        source: SqlError,
    },
}

/// A table to copy: its name and columns, in SQLite's column order.
struct Table {
    name: String,
    columns: Vec<String>,
}

fn sql(during: impl Into<String>) -> impl FnOnce(SqlError) -> CopyError {
    move |source| CopyError::Sql {
        during: during.into(),
        source,
    }
}

/// Copies the SQLite database of `data_dir` (its server stopped) into the empty PostgreSQL
/// database at `url`; see the module docs. Call it off any async runtime: the PostgreSQL client
/// runs one of its own.
pub fn copy_to_postgres(data_dir: &Path, url: &str, now: &str) -> Result<CopyReport, CopyError> {
    let (database, sqlite) = open_source(data_dir)?;
    let mut source = Conn::sqlite(sqlite);
    // One read transaction: every table comes from the same moment.
    let mut snapshot = source
        .transaction()
        .map_err(sql("opening the SQLite database"))?;
    let known = MIGRATIONS.last().map_or(0, |m| m.version);
    let found: i64 = snapshot
        .query_row(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
            params![],
            |row| row.get(0),
        )
        .map_err(sql("reading the SQLite schema version"))?;
    if found != known {
        return Err(CopyError::OtherVersion {
            database,
            found,
            known,
            advice: if found < known {
                "start this jumun-server once on that data directory (it migrates at start), \
                 stop it, and copy again"
            } else {
                "copy with the jumun-server that wrote it (or a newer one)"
            },
        });
    }
    let tables = tables_parents_first(&mut snapshot)?;

    let location = DatabaseLocation::Postgres {
        url: url.to_owned(),
    }
    .describe();
    let mut target = db::connect_postgres(url)?;
    let (count, example): (i64, String) = target
        .query_row(
            "SELECT COUNT(*), COALESCE(MIN(table_name::text), '') FROM information_schema.tables \
             WHERE table_schema = current_schema()",
            params![],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .map_err(sql("listing the PostgreSQL tables"))?;
    if count > 0 {
        return Err(CopyError::TargetNotEmpty {
            location,
            tables: count,
            example,
        });
    }
    let mut tx = target
        .transaction()
        .map_err(sql("starting the PostgreSQL transaction"))?;
    migrations::create_schema(&mut tx, MIGRATIONS, now).map_err(DatabaseError::from)?;
    same_tables(&mut tx, &tables)?;
    let mut copied = Vec::with_capacity(tables.len());
    for table in &tables {
        let rows = copy_table(&mut snapshot, &mut tx, table)?;
        copied.push((table.name.clone(), rows));
    }
    move_identities_past_copied_ids(&mut tx)?;
    tx.commit().map_err(sql("committing the copy"))?;
    Ok(CopyReport {
        database,
        target: location,
        schema_version: known,
        tables: copied,
    })
}

/// Quotes an identifier for either engine.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The SQLite tables (without the migrations' record), each after the tables it references.
fn tables_parents_first(conn: &mut Conn) -> Result<Vec<Table>, CopyError> {
    let read = sql("reading the SQLite schema");
    let names: Vec<String> = conn
        .query_map(
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations' ORDER BY name",
            params![],
            |row| row.get(0),
        )
        .map_err(read)?;
    let mut waiting = Vec::new();
    for name in names {
        let columns = conn
            .query_map(
                "SELECT name FROM pragma_table_info(?1) ORDER BY cid",
                params![name],
                |row| row.get(0),
            )
            .map_err(sql(format!("reading the columns of {name}")))?;
        let parents: Vec<String> = conn
            .query_map(
                "SELECT DISTINCT \"table\" FROM pragma_foreign_key_list(?1)",
                params![name],
                |row| row.get(0),
            )
            .map_err(sql(format!("reading the foreign keys of {name}")))?;
        waiting.push((Table { name, columns }, parents));
    }
    let mut ordered: Vec<Table> = Vec::with_capacity(waiting.len());
    while !waiting.is_empty() {
        let ready = waiting.iter().position(|(table, parents)| {
            parents
                .iter()
                .all(|p| p == &table.name || ordered.iter().any(|t| &t.name == p))
        });
        match ready {
            Some(index) => ordered.push(waiting.remove(index).0),
            // A cycle or a reference to a missing table: not a schema the migrations make.
            None => {
                let (table, _) = waiting.remove(0);
                return Err(CopyError::SchemaMismatch {
                    table: table.name,
                    present: "SQLite",
                    missing: "PostgreSQL",
                });
            }
        }
    }
    Ok(ordered)
}

/// Checks that PostgreSQL, freshly migrated, has exactly the SQLite tables.
fn same_tables(tx: &mut Conn, tables: &[Table]) -> Result<(), CopyError> {
    let names: Vec<String> = tx
        .query_map(
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_name <> 'schema_migrations'",
            params![],
            |row| row.get(0),
        )
        .map_err(sql("listing the new PostgreSQL tables"))?;
    if let Some(table) = tables.iter().find(|t| !names.contains(&t.name)) {
        return Err(CopyError::SchemaMismatch {
            table: table.name.clone(),
            present: "SQLite",
            missing: "PostgreSQL",
        });
    }
    if let Some(name) = names.iter().find(|n| !tables.iter().any(|t| &t.name == *n)) {
        return Err(CopyError::SchemaMismatch {
            table: name.clone(),
            present: "PostgreSQL",
            missing: "SQLite",
        });
    }
    Ok(())
}

/// Copies every row of `table`; returns how many, after checking PostgreSQL has as many.
fn copy_table(source: &mut Conn, tx: &mut Conn, table: &Table) -> Result<u64, CopyError> {
    let columns = table
        .columns
        .iter()
        .map(|c| quoted(c))
        .collect::<Vec<_>>()
        .join(", ");
    let placeholders = (1..=table.columns.len())
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let name = quoted(&table.name);
    let insert = format!("INSERT INTO {name} ({columns}) VALUES ({placeholders})");
    let mut rows = 0u64;
    source
        .for_each(&format!("SELECT {columns} FROM {name}"), params![], |row| {
            let values = row
                .values()
                .iter()
                .zip(&table.columns)
                .map(|(value, column)| {
                    value.as_param().ok_or_else(|| CopyError::UnexpectedValue {
                        table: table.name.clone(),
                        column: column.clone(),
                        kind: value.kind(),
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            tx.execute(&insert, &values)
                .map_err(sql(format!("copying a row of {}", table.name)))?;
            rows += 1;
            Ok::<(), CopyError>(())
        })
        .map_err(sql(format!("reading {}", table.name)))??;
    let found: i64 = tx
        .query_row(&format!("SELECT COUNT(*) FROM {name}"), params![], |row| {
            row.get(0)
        })
        .map_err(sql(format!("counting {}", table.name)))?;
    let found = u64::try_from(found).unwrap_or(0);
    if found != rows {
        return Err(CopyError::CountMismatch {
            table: table.name.clone(),
            expected: rows,
            found,
        });
    }
    Ok(rows)
}

/// Rows were inserted with their ids, which identity columns do not notice: each sequence is
/// set past the largest copied id, so the next row the server adds gets a new one.
fn move_identities_past_copied_ids(tx: &mut Conn) -> Result<(), CopyError> {
    let identities: Vec<(String, String)> = tx
        .query_map(
            "SELECT table_name::text, column_name::text FROM information_schema.columns \
             WHERE table_schema = current_schema() AND is_identity = 'YES'",
            params![],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .map_err(sql("listing the identity columns"))?;
    for (table, column) in identities {
        tx.query_row(
            &format!(
                "SELECT setval(pg_get_serial_sequence(?1, ?2), \
                 COALESCE((SELECT MAX({}) FROM {}), 0) + 1, false)",
                quoted(&column),
                quoted(&table)
            ),
            params![quoted(&table), column],
            |row| row.get::<i64>(0),
        )
        .map_err(sql(format!("moving the sequence of {table}.{column}")))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{Database, DATABASE_FILE};

    const NOW: &str = "2026-11-24T00:00:00Z";

    #[test]
    fn every_table_comes_after_the_tables_it_references() {
        let dir = tempfile::tempdir().unwrap();
        drop(Database::open(dir.path(), NOW).unwrap());
        let mut conn =
            Conn::sqlite(rusqlite::Connection::open(dir.path().join(DATABASE_FILE)).unwrap());
        let tables = tables_parents_first(&mut conn).unwrap();
        let position = |name: &str| tables.iter().position(|t| t.name == name);
        assert_eq!(
            position("schema_migrations"),
            None,
            "recorded by the migrations, not copied"
        );
        for (child, parent) in [
            ("users", "stores"),
            ("sessions", "users"),
            ("events", "stores"),
            ("collection_runs", "connections"),
            ("malformed_payloads", "collection_runs"),
            ("pending_acknowledgements", "connections"),
        ] {
            let (parent_at, child_at) = (position(parent).unwrap(), position(child).unwrap());
            assert!(parent_at < child_at, "{parent} before {child}");
        }
        let connections = tables.iter().find(|t| t.name == "connections").unwrap();
        assert!(connections
            .columns
            .contains(&"carrier_codes_json".to_owned()));
    }

    #[test]
    fn a_database_at_another_schema_version_is_sent_back_to_its_server_first() {
        let dir = tempfile::tempdir().unwrap();
        drop(Database::open(dir.path(), NOW).unwrap());
        rusqlite::Connection::open(dir.path().join(DATABASE_FILE))
            .unwrap()
            .execute_batch("DELETE FROM schema_migrations WHERE version = (SELECT MAX(version) FROM schema_migrations)")
            .unwrap();
        // Refused before any connection is tried: the URL leads nowhere.
        let err =
            copy_to_postgres(dir.path(), "postgres://nobody@127.0.0.1:1/none", NOW).unwrap_err();
        assert!(matches!(err, CopyError::OtherVersion { .. }), "{err}");
        assert!(
            err.to_string().contains("start this jumun-server once"),
            "{err}"
        );
    }
}
