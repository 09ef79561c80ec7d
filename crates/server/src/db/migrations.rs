//! Versioned schema migrations, applied in order at start-up, on either engine.
//!
//! Each migration has its SQLite text (`migrations/`) and its PostgreSQL text
//! (`migrations/postgres/`): the same tables, columns and constraints, version for version, in
//! each engine's words. Each runs in its own transaction together with the row that records it,
//! so a crash leaves the database either before or after a migration, never half-way. A
//! database written by a newer server (a version this build does not know) is refused rather
//! than guessed at, and a migration whose text changed after it was applied is reported,
//! because the schema on disk would no longer be what the code expects.

use super::sql::{Conn, Engine, OptionalExtension, SqlError};
use crate::params;

/// One migration: its version, a name for people, and its SQL for each engine.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// Strictly increasing from 1.
    pub version: i64,
    /// Short description, stored with the applied row.
    pub name: &'static str,
    /// The SQLite SQL, run as one batch.
    pub sqlite: &'static str,
    /// The PostgreSQL SQL, run as one batch.
    pub postgres: &'static str,
}

impl Migration {
    /// The SQL for `engine`.
    pub fn sql(&self, engine: Engine) -> &'static str {
        match engine {
            Engine::Sqlite => self.sqlite,
            Engine::Postgres => self.postgres,
        }
    }
}

/// Every migration this build knows, oldest first.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "initial",
        sqlite: include_str!("../../migrations/0001_initial.sql"),
        postgres: include_str!("../../migrations/postgres/0001_initial.sql"),
    },
    Migration {
        version: 2,
        name: "accounts",
        sqlite: include_str!("../../migrations/0002_accounts.sql"),
        postgres: include_str!("../../migrations/postgres/0002_accounts.sql"),
    },
    Migration {
        version: 3,
        name: "sync",
        sqlite: include_str!("../../migrations/0003_sync.sql"),
        postgres: include_str!("../../migrations/postgres/0003_sync.sql"),
    },
    Migration {
        version: 4,
        name: "collection",
        sqlite: include_str!("../../migrations/0004_collection.sql"),
        postgres: include_str!("../../migrations/postgres/0004_collection.sql"),
    },
    Migration {
        version: 5,
        name: "carrier codes",
        sqlite: include_str!("../../migrations/0005_carrier_codes.sql"),
        postgres: include_str!("../../migrations/postgres/0005_carrier_codes.sql"),
    },
    Migration {
        version: 6,
        name: "events as a rowid table",
        sqlite: include_str!("../../migrations/0006_events_rowid.sql"),
        postgres: include_str!("../../migrations/postgres/0006_events_rowid.sql"),
    },
    Migration {
        version: 7,
        name: "pending acknowledgements",
        sqlite: include_str!("../../migrations/0007_pending_acknowledgements.sql"),
        postgres: include_str!("../../migrations/postgres/0007_pending_acknowledgements.sql"),
    },
    Migration {
        version: 8,
        name: "api version",
        sqlite: include_str!("../../migrations/0008_api_version.sql"),
        postgres: include_str!("../../migrations/postgres/0008_api_version.sql"),
    },
];

/// Why the schema could not be brought up to date.
#[derive(Debug, thiserror::Error)]
pub enum MigrationError {
    /// The database says it is at a version this build does not know.
    #[error(
        "the database is at schema version {found}, newer than this server knows ({known}); \
         run a newer jumun-server or restore a backup"
    )]
    DatabaseIsNewer { found: i64, known: i64 },
    /// A migration that was applied earlier has different SQL in this build.
    #[error(
        "migration {version} ({name}) was changed after it was applied; \
         never edit an applied migration, add a new one instead"
    )]
    AppliedMigrationChanged { version: i64, name: String },
    /// The database refused a statement.
    #[error("database error while migrating: {0}")]
    Sql(#[from] SqlError),
}

/// A stable fingerprint of a migration's SQL (FNV-1a 64), so edits are detected.
fn checksum(sql: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in sql.as_bytes() {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// Applies every migration newer than the database's version. Returns the resulting version.
pub fn migrate(
    conn: &mut Conn,
    migrations: &[Migration],
    now: &str,
) -> Result<i64, MigrationError> {
    let engine = conn.engine();
    create_migrations_table(conn)?;
    let known = migrations.last().map_or(0, |m| m.version);
    let current: i64 = conn.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
        params![],
        |row| row.get(0),
    )?;
    if current > known {
        return Err(MigrationError::DatabaseIsNewer {
            found: current,
            known,
        });
    }
    for migration in migrations {
        let sql = migration.sql(engine);
        let applied: Option<String> = conn
            .query_row(
                "SELECT checksum FROM schema_migrations WHERE version = ?1",
                params![migration.version],
                |row| row.get(0),
            )
            .optional()?;
        match applied {
            Some(sum) if sum == checksum(sql) => continue,
            Some(_) => {
                return Err(MigrationError::AppliedMigrationChanged {
                    version: migration.version,
                    name: migration.name.to_owned(),
                })
            }
            None => {}
        }
        let mut tx = conn.transaction()?;
        apply(&mut tx, migration, now)?;
        tx.commit()?;
    }
    Ok(known)
}

/// Creates every table of `migrations` on an empty database inside the caller's transaction,
/// recording each migration as [`migrate`] does, so the schema appears whole or not at all
/// (copying a database into a new engine does this). Returns the resulting version.
pub fn create_schema(
    conn: &mut Conn,
    migrations: &[Migration],
    now: &str,
) -> Result<i64, MigrationError> {
    create_migrations_table(conn)?;
    for migration in migrations {
        apply(conn, migration, now)?;
    }
    Ok(migrations.last().map_or(0, |m| m.version))
}

fn create_migrations_table(conn: &mut Conn) -> Result<(), MigrationError> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version    BIGINT PRIMARY KEY NOT NULL,
             name       TEXT NOT NULL,
             checksum   TEXT NOT NULL,
             applied_at TEXT NOT NULL
         );",
    )?;
    Ok(())
}

/// Runs one migration and records it, in the caller's transaction.
fn apply(conn: &mut Conn, migration: &Migration, now: &str) -> Result<(), MigrationError> {
    let engine = conn.engine();
    let sql = migration.sql(engine);
    conn.execute_batch(sql)?;
    conn.execute(
        "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?1, ?2, ?3, ?4)",
        params![migration.version, migration.name, checksum(sql), now],
    )?;
    tracing::info!(
        version = migration.version,
        name = migration.name,
        engine = engine.as_str(),
        "applied migration"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::testing::fresh_conns;
    use rusqlite::Connection;

    const NOW: &str = "2026-11-24T00:00:00Z";

    fn version(conn: &mut Conn) -> i64 {
        conn.query_row(
            "SELECT MAX(version) FROM schema_migrations",
            params![],
            |r| r.get(0),
        )
        .unwrap()
    }

    /// A migration with the same SQL on both engines.
    fn both(version: i64, name: &'static str, sql: &'static str) -> Migration {
        Migration {
            version,
            name,
            sqlite: sql,
            postgres: sql,
        }
    }

    #[test]
    fn applies_all_migrations_once_and_is_idempotent() {
        for mut conn in fresh_conns() {
            let latest = MIGRATIONS.len() as i64;
            assert_eq!(migrate(&mut conn, MIGRATIONS, NOW).unwrap(), latest);
            assert_eq!(migrate(&mut conn, MIGRATIONS, NOW).unwrap(), latest);
            let rows: i64 = conn
                .query_row("SELECT COUNT(*) FROM schema_migrations", params![], |r| {
                    r.get(0)
                })
                .unwrap();
            assert_eq!(rows, MIGRATIONS.len() as i64, "{:?}", conn.engine());
            conn.execute(
                "INSERT INTO server_meta (key, value) VALUES ('k', 'v')",
                params![],
            )
            .unwrap();
        }
    }

    #[test]
    fn both_engines_know_the_same_versions() {
        for (index, migration) in MIGRATIONS.iter().enumerate() {
            assert_eq!(migration.version, index as i64 + 1);
            assert!(!migration.sqlite.trim().is_empty());
            assert!(!migration.postgres.trim().is_empty());
        }
    }

    #[test]
    fn a_later_migration_is_applied_on_top_of_an_existing_database() {
        for mut conn in fresh_conns() {
            migrate(&mut conn, &MIGRATIONS[..1], NOW).unwrap();
            let second = [
                MIGRATIONS[0],
                both(2, "second", "CREATE TABLE extra (id BIGINT);"),
            ];
            assert_eq!(migrate(&mut conn, &second, NOW).unwrap(), 2);
            assert_eq!(version(&mut conn), 2);
        }
    }

    #[test]
    fn a_failing_migration_leaves_the_database_at_the_previous_version() {
        for mut conn in fresh_conns() {
            let broken = [
                MIGRATIONS[0],
                both(
                    2,
                    "broken",
                    "CREATE TABLE half (id BIGINT); THIS IS NOT SQL;",
                ),
            ];
            assert!(matches!(
                migrate(&mut conn, &broken, NOW),
                Err(MigrationError::Sql(_))
            ));
            assert_eq!(version(&mut conn), 1);
            assert!(
                conn.execute_batch("SELECT * FROM half").is_err(),
                "the failed migration's first statement was not rolled back ({:?})",
                conn.engine()
            );
        }
    }

    #[test]
    fn a_database_from_a_newer_server_is_refused() {
        for mut conn in fresh_conns() {
            let known = MIGRATIONS.len() as i64;
            let mut newer = MIGRATIONS.to_vec();
            newer.push(both(known + 1, "future", "SELECT 1;"));
            migrate(&mut conn, &newer, NOW).unwrap();
            let err = migrate(&mut conn, MIGRATIONS, NOW).unwrap_err();
            assert!(matches!(
                err,
                MigrationError::DatabaseIsNewer { found, known: k } if found == known + 1 && k == known
            ));
            assert!(err.to_string().contains("newer jumun-server"));
        }
    }

    #[test]
    fn an_edited_applied_migration_is_reported() {
        for mut conn in fresh_conns() {
            migrate(&mut conn, MIGRATIONS, NOW).unwrap();
            let mut edited = MIGRATIONS.to_vec();
            edited[0] = both(1, "initial", "CREATE TABLE other (id BIGINT);");
            assert!(matches!(
                migrate(&mut conn, &edited, NOW),
                Err(MigrationError::AppliedMigrationChanged { version: 1, .. })
            ));
        }
    }

    #[test]
    fn migration_6_rebuilds_events_as_a_rowid_table_and_keeps_every_row() {
        let raw = Connection::open_in_memory().unwrap();
        raw.pragma_update(None, "foreign_keys", "ON").unwrap();
        let mut conn = Conn::sqlite(raw);
        migrate(&mut conn, &MIGRATIONS[..5], NOW).unwrap();
        conn.execute_batch(
            "INSERT INTO stores (id, code, name, created_at) VALUES
                 (1, 'one', 'one', '2026-11-24T00:00:00.000Z'),
                 (2, 'two', 'two', '2026-11-24T00:00:00.000Z');
             INSERT INTO events (store_id, seq, at, actor, event_json, op_key) VALUES
                 (1, 1, 't1', 'automatic', '{\"a\":1}', NULL),
                 (1, 2, 't2', 'operator:kim', '{\"a\":2}', 'k2'),
                 (2, 1, 't3', 'sync:coupang', '{\"a\":3}', NULL);",
        )
        .unwrap();
        let table_sql = |conn: &mut Conn| -> String {
            conn.query_row(
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'events'",
                params![],
                |r| r.get(0),
            )
            .unwrap()
        };
        assert!(table_sql(&mut conn).contains("WITHOUT ROWID"));
        assert_eq!(
            migrate(&mut conn, MIGRATIONS, NOW).unwrap(),
            MIGRATIONS.len() as i64
        );
        assert!(
            !table_sql(&mut conn).contains("WITHOUT ROWID"),
            "{}",
            table_sql(&mut conn)
        );
        let rows: Vec<(i64, i64, String, String, String, Option<String>)> = conn
            .query_map(
                "SELECT store_id, seq, at, actor, event_json, op_key FROM events ORDER BY rowid",
                params![],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                    ))
                },
            )
            .unwrap();
        assert_eq!(
            rows,
            vec![
                (
                    1,
                    1,
                    "t1".into(),
                    "automatic".into(),
                    r#"{"a":1}"#.into(),
                    None
                ),
                (
                    1,
                    2,
                    "t2".into(),
                    "operator:kim".into(),
                    r#"{"a":2}"#.into(),
                    Some("k2".into())
                ),
                (
                    2,
                    1,
                    "t3".into(),
                    "sync:coupang".into(),
                    r#"{"a":3}"#.into(),
                    None
                ),
            ]
        );
        // (store_id, seq) is still unique, the reference to stores still holds, the index is back.
        let duplicate = conn.execute(
            "INSERT INTO events (store_id, seq, at, actor, event_json) VALUES (1, 2, 't', 'a', '{}')",
            params![],
        );
        assert!(duplicate.is_err(), "a second event 2 of store 1 was stored");
        let orphan = conn.execute(
            "INSERT INTO events (store_id, seq, at, actor, event_json) VALUES (9, 1, 't', 'a', '{}')",
            params![],
        );
        assert!(
            orphan.is_err(),
            "an event of a store that does not exist was stored"
        );
        let violations: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM pragma_foreign_key_check",
                params![],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(violations, 0);
        let index: String = conn
            .query_row(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'events_by_op_key'",
                params![],
                |r| r.get(0),
            )
            .unwrap();
        assert!(index.contains("op_key IS NOT NULL"), "{index}");
        let leftovers: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE name = 'events_rowid'",
                params![],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(leftovers, 0);
        conn.execute("DELETE FROM stores WHERE id = 2", params![])
            .unwrap();
        let left: i64 = conn
            .query_row("SELECT COUNT(*) FROM events", params![], |r| r.get(0))
            .unwrap();
        assert_eq!(left, 2, "deleting a store still deletes its events");
    }
}
