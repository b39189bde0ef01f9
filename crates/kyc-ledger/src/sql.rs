//! The ledger in SQLite (a file: the embedded default) or PostgreSQL (a fleet of app instances
//! sharing one database), through sqlx.
//!
//! # One SQL layer: an enum over the two native pools
//!
//! [`SqlStore`] holds a `SqlitePool` or a `PgPool`, and every operation runs the *same SQL text*
//! on either (`$1` placeholders, `ON CONFLICT … DO NOTHING`, `RETURNING`-free statements): a
//! macro expands each operation's body once per backend, so the query text is written once.
//! Not sqlx's `Any` driver, because:
//! - the native pools keep each driver's own options: SQLite's WAL journal, its busy timeout (so
//!   several processes can share one file), `create_if_missing`, and a read-only connection to
//!   look at an existing file before touching it (a corrupt or newer file must stay unchanged);
//!   `Any` takes a URL and loses most of them;
//! - values are decoded by the native drivers (`bool`, `i64`, `Option<_>`), with no `Any`
//!   type-mapping rules in between, and no process-global driver registration;
//! - no extra sqlx feature.
//!
//! The two dialects differ in exactly four places, kept in [`Dialect`]: the statement that starts
//! a write transaction (`BEGIN IMMEDIATE` on SQLite: the write lock is taken up front, so a
//! transaction that reads then writes never fails with a stale snapshot), the column type of an
//! insertion counter, how to ask whether the schema table exists, and PostgreSQL's advisory lock
//! around migrations.
//!
//! # Migrations: embedded, versioned, hand-rolled
//!
//! [`MIGRATIONS`] lists (version, statements); the table `kyc_ledger_schema` holds the versions
//! applied. On open, in one transaction (SQLite: `BEGIN IMMEDIATE`; PostgreSQL: under an advisory
//! lock), the version is read *first*: newer than this crate knows → a `Config` error and the
//! transaction is rolled back (nothing written); older → the missing migrations run and are
//! recorded; equal → nothing is written. An existing SQLite file is first inspected through a
//! read-only connection, so a file that is not a database, or one of a newer schema, is never
//! written to (not even switched to WAL). sqlx's own migrator is not used: without the `macros`
//! feature it needs migrations built at run time anyway, and it checks a newer database only by
//! failing on an unknown applied migration, after creating its `_sqlx_migrations` table.
//!
//! # Storage
//!
//! Timestamps are integer milliseconds since the Unix epoch (portable; sub-millisecond precision
//! is dropped), statuses and kinds their snake-case names, attempts JSON text, booleans
//! `BOOLEAN` (an integer in SQLite). Tables are prefixed `kyc_ledger_` so the ledger can share a
//! database with an application.

use std::fmt;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use secrecy::SecretString;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
};
use sqlx::{ColumnIndex, ConnectOptions, Connection, Decode, Row, Type};

use kyc_core::kit::ErrorExt;
use kyc_core::{Error, Status, VerificationKind};

use crate::PROVIDER;
use crate::record::{AttemptRecord, EventRecord, Fingerprint, SessionRecord};
use crate::store::{Claim, EventOutcome, KeyEntry, KeyState, LedgerStore, ListFilter};

/// How long a SQLite connection waits for another process's write lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The key of the PostgreSQL advisory lock held while migrating ("kycledgr" in ASCII).
const MIGRATION_LOCK: i64 = 0x6b79_636c_6564_6772;

/// One step of the schema.
struct Migration {
    version: i64,
    /// Statements, each run on its own; `{seq}` is replaced by the dialect's counter column.
    statements: &'static [&'static str],
}

/// The schema, oldest first. Append only: a released migration never changes.
const MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    statements: &[
        "CREATE TABLE kyc_ledger_sessions (
            seq {seq},
            provider TEXT NOT NULL,
            session_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            client_id TEXT NOT NULL,
            idempotency_key TEXT,
            fingerprint TEXT NOT NULL,
            link TEXT,
            created_at BIGINT NOT NULL,
            expires_at BIGINT,
            status TEXT NOT NULL,
            is_final BOOLEAN NOT NULL,
            updated_at BIGINT NOT NULL,
            attempts TEXT NOT NULL,
            UNIQUE (provider, session_id)
        )",
        "CREATE INDEX kyc_ledger_sessions_live
            ON kyc_ledger_sessions (client_id, fingerprint)",
        "CREATE INDEX kyc_ledger_sessions_created ON kyc_ledger_sessions (created_at)",
        "CREATE TABLE kyc_ledger_keys (
            idempotency_key TEXT PRIMARY KEY,
            fingerprint TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('pending', 'done', 'unresolved')),
            lease_until BIGINT,
            provider TEXT,
            session_id TEXT,
            attempts TEXT NOT NULL,
            created_at BIGINT NOT NULL
        )",
        "CREATE TABLE kyc_ledger_events (
            seq {seq},
            provider TEXT NOT NULL,
            dedup_key TEXT NOT NULL,
            session_id TEXT NOT NULL,
            event TEXT,
            status TEXT,
            vendor_status TEXT,
            is_final BOOLEAN NOT NULL,
            client_id TEXT,
            occurred_at BIGINT NOT NULL,
            source TEXT NOT NULL,
            UNIQUE (provider, dedup_key)
        )",
        "CREATE INDEX kyc_ledger_events_session
            ON kyc_ledger_events (provider, session_id, occurred_at)",
    ],
}];

/// The schema version this crate writes.
fn latest_version() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

/// Where the two SQL dialects differ.
struct Dialect {
    /// Starts a transaction that will write.
    begin: &'static str,
    /// An insertion counter: the tie-break of every ordering.
    seq: &'static str,
    /// `COUNT(*)` of schema tables named `kyc_ledger_schema` where unqualified names resolve.
    schema_exists: &'static str,
    /// Serializes migrations (SQLite: `BEGIN IMMEDIATE` already does).
    migration_lock: Option<&'static str>,
}

const SQLITE: Dialect = Dialect {
    begin: "BEGIN IMMEDIATE",
    seq: "INTEGER PRIMARY KEY",
    schema_exists: "SELECT COUNT(*) FROM sqlite_master
        WHERE type = 'table' AND name = 'kyc_ledger_schema'",
    migration_lock: None,
};

const POSTGRES: Dialect = Dialect {
    begin: "BEGIN",
    seq: "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
    schema_exists: "SELECT COUNT(*) FROM information_schema.tables
        WHERE table_schema = current_schema() AND table_name = 'kyc_ledger_schema'",
    migration_lock: Some("SELECT pg_advisory_xact_lock($1)"),
};

const SESSION_COLUMNS: &str = "provider, session_id, kind, client_id, idempotency_key, \
    fingerprint, link, created_at, expires_at, status, is_final, updated_at, attempts";

const EVENT_COLUMNS: &str = "provider, session_id, dedup_key, event, status, vendor_status, \
    is_final, client_id, occurred_at, source";

/// The ledger in a SQL database: SQLite or PostgreSQL. Cheap to share behind an `Arc`; every
/// [`LedgerStore`] operation is one transaction, so any number of processes (and hosts, on
/// PostgreSQL) may use the same database at once.
pub struct SqlStore {
    backend: Backend,
    /// Where, for `Debug`: a SQLite path, or PostgreSQL's user, host, port and database (never
    /// the password nor the URL's parameters).
    location: String,
}

enum Backend {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the native pool and `$dialect` to its [`Dialect`]: the
/// body is compiled once per backend, with the same SQL text.
macro_rules! on_backend {
    ($store:expr, |$pool:ident, $dialect:ident| $body:expr) => {
        match &$store.backend {
            Backend::Sqlite($pool) => {
                let $dialect = &SQLITE;
                let _ = $dialect;
                $body
            }
            Backend::Postgres($pool) => {
                let $dialect = &POSTGRES;
                let _ = $dialect;
                $body
            }
        }
    };
}

impl SqlStore {
    /// Opens the ledger at `url` and brings its schema up to date: `sqlite:PATH` (the file and
    /// its directory are created if missing) or `postgres://USER:PASSWORD@HOST:PORT/DATABASE`
    /// (sqlx's PostgreSQL URL parameters apply, e.g. `?sslmode=require`).
    ///
    /// # Errors
    /// `Config` for a URL of another kind, a file that is not a SQLite database, or a schema
    /// newer than this crate's (in both cases nothing is changed); `Unavailable` when the
    /// database cannot be reached or written.
    pub async fn open(url: &str) -> Result<Self, Error> {
        if let Some(rest) = url.strip_prefix("sqlite:") {
            let path = rest.strip_prefix("//").unwrap_or(rest);
            if path.is_empty() {
                return Err(Error::config(PROVIDER, "a sqlite: URL needs a path (sqlite:PATH)"));
            }
            if path.starts_with(":memory:") || path.contains('?') {
                return Err(Error::config(
                    PROVIDER,
                    "a sqlite: URL is a file path, without parameters (for a ledger in memory use MemoryStore)",
                ));
            }
            return Self::open_sqlite(path).await;
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            // sqlx's parse error may quote the URL, password included: not passed on.
            let options = PgConnectOptions::from_str(url)
                .map_err(|_| Error::config(PROVIDER, "the PostgreSQL URL is invalid"))?;
            return Self::open_postgres(options).await;
        }
        let scheme = url.split_once(':').map(|(scheme, _)| scheme).unwrap_or_default();
        let scheme = if !scheme.is_empty() && scheme.chars().all(|c| c.is_ascii_alphanumeric()) {
            format!(" ({scheme}:)")
        } else {
            String::new()
        };
        Err(Error::config(
            PROVIDER,
            format!("unsupported database URL{scheme}: expected sqlite:PATH or postgres://…"),
        ))
    }

    /// Opens (creating it, and its directory, if missing) the SQLite ledger at `path`, in WAL
    /// mode with a busy timeout, so several processes can share the file.
    ///
    /// # Errors
    /// As [`open`](Self::open).
    pub async fn open_sqlite(path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        // Looked at read-only first: a file that is not a ledger this crate can use stays
        // byte for byte as it was.
        if path.exists() {
            let version = inspect_sqlite(path).await?;
            check_version(version)?;
        } else if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|error| {
                Error::config(
                    PROVIDER,
                    format!("cannot create the directory {}: {error}", dir.display()),
                )
            })?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .busy_timeout(BUSY_TIMEOUT);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(|error| sqlite_open_error(path, &error))?;
        let store = Self { backend: Backend::Sqlite(pool), location: path.display().to_string() };
        store.migrate().await?;
        Ok(store)
    }

    async fn open_postgres(options: PgConnectOptions) -> Result<Self, Error> {
        let location = format!(
            "{}@{}:{}/{}",
            options.get_username(),
            options.get_host(),
            options.get_port(),
            options.get_database().unwrap_or_default()
        );
        // One connection first: a server that is down or refuses the credentials says so at
        // once (a pool keeps retrying a refused connection until its timeout).
        let probe: PgConnection =
            options.connect().await.map_err(|error| postgres_open_error(&error))?;
        let _ = probe.close().await;
        let pool = PgPoolOptions::new()
            .acquire_timeout(Duration::from_secs(10))
            .connect_lazy_with(options);
        let store = Self { backend: Backend::Postgres(pool), location };
        store.migrate().await?;
        Ok(store)
    }

    /// Closes the store's connections (waiting for those in use). Dropping it closes them too,
    /// without waiting.
    pub async fn close(&self) {
        match &self.backend {
            Backend::Sqlite(pool) => pool.close().await,
            Backend::Postgres(pool) => pool.close().await,
        }
    }

    /// `sqlite` or `postgres`.
    pub fn backend(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    /// Applies the missing migrations in one transaction, the version read first.
    async fn migrate(&self) -> Result<(), Error> {
        on_backend!(self, |pool, dialect| {
            let mut tx = pool.begin_with(dialect.begin).await.map_err(fail("migrate"))?;
            if let Some(lock) = dialect.migration_lock {
                sqlx::query(lock)
                    .bind(MIGRATION_LOCK)
                    .execute(&mut *tx)
                    .await
                    .map_err(fail("migrate"))?;
            }
            let exists: i64 = sqlx::query_scalar(dialect.schema_exists)
                .fetch_one(&mut *tx)
                .await
                .map_err(fail("migrate"))?;
            let version: i64 = if exists > 0 {
                sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM kyc_ledger_schema")
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(fail("migrate"))?
            } else {
                0
            };
            // Rolled back on drop: nothing written to a newer ledger.
            check_version(version)?;
            if version == latest_version() {
                tx.commit().await.map_err(fail("migrate"))?;
                return Ok(());
            }
            sqlx::query(
                "CREATE TABLE IF NOT EXISTS kyc_ledger_schema (
                    version BIGINT PRIMARY KEY,
                    applied_at BIGINT NOT NULL
                )",
            )
            .execute(&mut *tx)
            .await
            .map_err(fail("migrate"))?;
            for migration in MIGRATIONS.iter().filter(|m| m.version > version) {
                for statement in migration.statements {
                    let statement = statement.replace("{seq}", dialect.seq);
                    sqlx::query(&statement).execute(&mut *tx).await.map_err(fail("migrate"))?;
                }
                sqlx::query("INSERT INTO kyc_ledger_schema (version, applied_at) VALUES ($1, $2)")
                    .bind(migration.version)
                    .bind(Utc::now().timestamp_millis())
                    .execute(&mut *tx)
                    .await
                    .map_err(fail("migrate"))?;
            }
            tx.commit().await.map_err(fail("migrate"))?;
            tracing::debug!(
                backend = self.backend(),
                from = version,
                to = latest_version(),
                "ledger schema migrated"
            );
            Ok(())
        })
    }
}

impl fmt::Debug for SqlStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqlStore")
            .field("backend", &self.backend())
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

/// The schema version of an existing SQLite file, read through a read-only connection.
async fn inspect_sqlite(path: &Path) -> Result<i64, Error> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .create_if_missing(false)
        .busy_timeout(BUSY_TIMEOUT);
    let mut conn: SqliteConnection =
        options.connect().await.map_err(|error| sqlite_open_error(path, &error))?;
    let result = async {
        let exists: i64 = sqlx::query_scalar(SQLITE.schema_exists).fetch_one(&mut conn).await?;
        if exists == 0 {
            return Ok(0);
        }
        sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM kyc_ledger_schema")
            .fetch_one(&mut conn)
            .await
    }
    .await;
    let _ = conn.close().await;
    result.map_err(|error| sqlite_open_error(path, &error))
}

fn check_version(version: i64) -> Result<(), Error> {
    let latest = latest_version();
    if version > latest {
        return Err(Error::config(
            PROVIDER,
            format!(
                "the ledger's schema is version {version}, newer than this kyc-ledger ({latest}): upgrade kyc-ledger"
            ),
        ));
    }
    Ok(())
}

/// SQLite's primary result code (the low byte of an extended one).
fn sqlite_code(error: &sqlx::Error) -> Option<i64> {
    let code = error.as_database_error()?.code()?;
    code.parse::<i64>().ok().map(|code| code & 0xff)
}

fn sqlite_open_error(path: &Path, error: &sqlx::Error) -> Error {
    const SQLITE_CORRUPT: i64 = 11;
    const SQLITE_CANTOPEN: i64 = 14;
    const SQLITE_NOTADB: i64 = 26;
    match sqlite_code(error) {
        Some(SQLITE_NOTADB | SQLITE_CORRUPT) => Error::config(
            PROVIDER,
            format!(
                "{} is not a SQLite database, or it is corrupt (left unchanged)",
                path.display()
            ),
        ),
        Some(SQLITE_CANTOPEN) => {
            Error::config(PROVIDER, format!("cannot open the SQLite file {}", path.display()))
        }
        _ => unavailable("open", error),
    }
}

fn postgres_open_error(error: &sqlx::Error) -> Error {
    let code = error.as_database_error().and_then(|e| e.code()).map(|c| c.into_owned());
    match code.as_deref() {
        // Invalid authorization (28xxx), unknown database (3D000): the URL is wrong.
        Some(code) if code.starts_with("28") => {
            Error::config(PROVIDER, format!("PostgreSQL refused the credentials (SQLSTATE {code})"))
        }
        Some("3D000") => Error::config(PROVIDER, "the PostgreSQL database does not exist"),
        _ => unavailable("connect", error),
    }
}

/// A failed query: `Unavailable`, nothing sent. The detail names the operation and the kind of
/// failure, never a value (a link, a fingerprint, a key) nor the SQL.
fn unavailable(operation: &str, error: &sqlx::Error) -> Error {
    let what = match error {
        sqlx::Error::Database(db) => {
            let mut what = String::from("database error");
            if let Some(code) = db.code() {
                what.push_str(&format!(" {code}"));
            }
            if let Some(constraint) = db.constraint() {
                what.push_str(&format!(" (constraint {constraint})"));
            } else if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
                // SQLite's messages name objects, not values ("database is locked").
                what.push_str(&format!(": {}", db.message()));
            }
            what
        }
        sqlx::Error::Io(io) => format!("I/O error: {}", io.kind()),
        sqlx::Error::Tls(_) => "TLS error".to_owned(),
        sqlx::Error::PoolTimedOut => "timed out waiting for a connection".to_owned(),
        sqlx::Error::PoolClosed => "the store is closed".to_owned(),
        sqlx::Error::Protocol(_) => "protocol error".to_owned(),
        sqlx::Error::ColumnDecode { index, .. } => format!("cannot decode column {index}"),
        sqlx::Error::Configuration(_) => "invalid connection options".to_owned(),
        _ => "query failed".to_owned(),
    };
    Error::store_unavailable(PROVIDER, format!("{operation}: {what}"))
}

fn fail(operation: &'static str) -> impl Fn(sqlx::Error) -> Error {
    move |error| unavailable(operation, &error)
}

fn unreadable(what: &str) -> Error {
    Error::store_unavailable(PROVIDER, format!("a stored {what} is unreadable"))
}

fn millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

fn from_millis(ms: i64) -> Result<DateTime<Utc>, Error> {
    DateTime::from_timestamp_millis(ms).ok_or_else(|| unreadable("timestamp"))
}

fn attempts_json(attempts: &[AttemptRecord]) -> String {
    serde_json::to_string(attempts).unwrap_or_else(|_| "[]".to_owned())
}

fn attempts_from(json: &str) -> Result<Vec<AttemptRecord>, Error> {
    serde_json::from_str(json).map_err(|_| unreadable("attempt list"))
}

fn status_from(text: &str) -> Result<Status, Error> {
    Status::from_str(text).map_err(|_| unreadable("status"))
}

fn get<'r, R, T>(row: &'r R, column: &'static str) -> Result<T, Error>
where
    R: Row,
    &'static str: ColumnIndex<R>,
    T: Decode<'r, R::Database> + Type<R::Database>,
{
    row.try_get(column).map_err(|error| unavailable("read", &error))
}

/// A session from a row with [`SESSION_COLUMNS`].
fn session_from_row<'r, R>(row: &'r R) -> Result<SessionRecord, Error>
where
    R: Row,
    &'static str: ColumnIndex<R>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    bool: Decode<'r, R::Database> + Type<R::Database>,
{
    let kind: String = get(row, "kind")?;
    let status: String = get(row, "status")?;
    let attempts: String = get(row, "attempts")?;
    let expires_at: Option<i64> = get(row, "expires_at")?;
    let link: Option<String> = get(row, "link")?;
    Ok(SessionRecord {
        provider: get(row, "provider")?,
        session_id: get(row, "session_id")?,
        kind: VerificationKind::from_str(&kind).map_err(|_| unreadable("kind"))?,
        client_id: get(row, "client_id")?,
        idempotency_key: get(row, "idempotency_key")?,
        fingerprint: Fingerprint::from_hex(get::<_, String>(row, "fingerprint")?),
        link: link.map(SecretString::from),
        created_at: from_millis(get(row, "created_at")?)?,
        expires_at: expires_at.map(from_millis).transpose()?,
        status: status_from(&status)?,
        is_final: get(row, "is_final")?,
        updated_at: from_millis(get(row, "updated_at")?)?,
        attempts: attempts_from(&attempts)?,
    })
}

/// An event from a row with [`EVENT_COLUMNS`].
fn event_from_row<'r, R>(row: &'r R) -> Result<EventRecord, Error>
where
    R: Row,
    &'static str: ColumnIndex<R>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    bool: Decode<'r, R::Database> + Type<R::Database>,
{
    let status: Option<String> = get(row, "status")?;
    Ok(EventRecord {
        provider: get(row, "provider")?,
        session_id: get(row, "session_id")?,
        dedup_key: get(row, "dedup_key")?,
        event: get(row, "event")?,
        status: status.as_deref().map(status_from).transpose()?,
        vendor_status: get(row, "vendor_status")?,
        is_final: get(row, "is_final")?,
        client_id: get(row, "client_id")?,
        occurred_at: from_millis(get(row, "occurred_at")?)?,
        source: get(row, "source")?,
    })
}

/// The query of a key's entry, with its session when done.
fn key_query() -> String {
    let session_columns: Vec<String> =
        SESSION_COLUMNS.split(", ").map(|column| format!("s.{column} AS {column}")).collect();
    format!(
        "SELECT k.fingerprint AS key_fingerprint, k.state AS key_state, \
            k.lease_until AS key_lease_until, k.attempts AS key_attempts, \
            s.seq AS session_seq, {} \
         FROM kyc_ledger_keys k LEFT JOIN kyc_ledger_sessions s \
            ON s.provider = k.provider AND s.session_id = k.session_id \
         WHERE k.idempotency_key = $1",
        session_columns.join(", ")
    )
}

fn key_from_row<'r, R>(row: &'r R) -> Result<KeyEntry, Error>
where
    R: Row,
    &'static str: ColumnIndex<R>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    bool: Decode<'r, R::Database> + Type<R::Database>,
{
    let fingerprint = Fingerprint::from_hex(get::<_, String>(row, "key_fingerprint")?);
    let state: String = get(row, "key_state")?;
    let state = match state.as_str() {
        "pending" => {
            let until: Option<i64> = get(row, "key_lease_until")?;
            KeyState::Pending { until: from_millis(until.ok_or_else(|| unreadable("lease"))?)? }
        }
        "done" => {
            let seq: Option<i64> = get(row, "session_seq")?;
            if seq.is_none() {
                return Err(Error::store_unavailable(
                    PROVIDER,
                    "claim: a key is done but its session is missing",
                ));
            }
            KeyState::Done(Box::new(session_from_row(row)?))
        }
        "unresolved" => {
            KeyState::Unresolved(attempts_from(&get::<_, String>(row, "key_attempts")?)?)
        }
        _ => return Err(unreadable("key state")),
    };
    Ok(KeyEntry { fingerprint, state })
}

#[async_trait]
impl LedgerStore for SqlStore {
    async fn claim(
        &self,
        key: &str,
        fingerprint: &Fingerprint,
        lease_until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Claim, Error> {
        let select = key_query();
        // A key found done or unresolved is answered from a plain read of committed rows: what
        // the transaction below would have read at this moment, without its commit (a sync to
        // disk, most of a replay's cost). Only a pending key needs the transaction, where its
        // lease is checked and may end.
        let settled = on_backend!(self, |pool, dialect| {
            let row =
                sqlx::query(&select).bind(key).fetch_optional(pool).await.map_err(fail("claim"))?;
            row.as_ref().map(key_from_row).transpose()
        })?;
        if let Some(entry) =
            settled.filter(|entry| !matches!(entry.state, KeyState::Pending { .. }))
        {
            return Ok(Claim::Existing(entry));
        }
        // A key released between the insert and the read is claimed again; a few rounds, then
        // the caller's retry.
        for _ in 0..3 {
            let found = on_backend!(self, |pool, dialect| {
                let mut tx = pool.begin_with(dialect.begin).await.map_err(fail("claim"))?;
                let inserted = sqlx::query(
                    "INSERT INTO kyc_ledger_keys
                        (idempotency_key, fingerprint, state, lease_until, attempts, created_at)
                     VALUES ($1, $2, 'pending', $3, '[]', $4)
                     ON CONFLICT (idempotency_key) DO NOTHING",
                )
                .bind(key)
                .bind(fingerprint.as_str())
                .bind(millis(lease_until))
                .bind(millis(now))
                .execute(&mut *tx)
                .await
                .map_err(fail("claim"))?;
                if inserted.rows_affected() == 1 {
                    tx.commit().await.map_err(fail("claim"))?;
                    return Ok(Claim::Claimed);
                }
                // The holder of an ended lease may have reached the vendor.
                sqlx::query(
                    "UPDATE kyc_ledger_keys SET state = 'unresolved', lease_until = NULL
                     WHERE idempotency_key = $1 AND state = 'pending' AND lease_until < $2",
                )
                .bind(key)
                .bind(millis(now))
                .execute(&mut *tx)
                .await
                .map_err(fail("claim"))?;
                let row = sqlx::query(&select)
                    .bind(key)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(fail("claim"))?;
                let entry = row.as_ref().map(key_from_row).transpose()?;
                tx.commit().await.map_err(fail("claim"))?;
                Ok::<_, Error>(entry)
            })?;
            if let Some(entry) = found {
                return Ok(Claim::Existing(entry));
            }
        }
        Err(Error::store_unavailable(PROVIDER, "claim: the key kept changing; try again"))
    }

    async fn finish(&self, key: Option<&str>, session: &SessionRecord) -> Result<(), Error> {
        let insert = format!(
            "INSERT INTO kyc_ledger_sessions ({SESSION_COLUMNS})
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
             ON CONFLICT (provider, session_id) DO NOTHING"
        );
        on_backend!(self, |pool, dialect| {
            let mut tx = pool.begin_with(dialect.begin).await.map_err(fail("finish"))?;
            // A session recorded before (a lookup that found it again) keeps its record: its
            // events have moved it since.
            sqlx::query(&insert)
                .bind(&session.provider)
                .bind(&session.session_id)
                .bind(session.kind.as_ref())
                .bind(&session.client_id)
                .bind(session.idempotency_key.as_deref())
                .bind(session.fingerprint.as_str())
                .bind(session.link())
                .bind(millis(session.created_at))
                .bind(session.expires_at.map(millis))
                .bind(session.status.as_ref())
                .bind(session.is_final)
                .bind(millis(session.updated_at))
                .bind(attempts_json(&session.attempts))
                .execute(&mut *tx)
                .await
                .map_err(fail("finish"))?;
            if let Some(key) = key {
                sqlx::query(
                    "UPDATE kyc_ledger_keys
                     SET state = 'done', lease_until = NULL, provider = $2, session_id = $3
                     WHERE idempotency_key = $1",
                )
                .bind(key)
                .bind(&session.provider)
                .bind(&session.session_id)
                .execute(&mut *tx)
                .await
                .map_err(fail("finish"))?;
            }
            tx.commit().await.map_err(fail("finish"))
        })
    }

    async fn release(&self, key: &str) -> Result<(), Error> {
        on_backend!(self, |pool, dialect| {
            sqlx::query("DELETE FROM kyc_ledger_keys WHERE idempotency_key = $1")
                .bind(key)
                .execute(pool)
                .await
                .map(drop)
                .map_err(fail("release"))
        })
    }

    async fn mark_unresolved(&self, key: &str, attempts: &[AttemptRecord]) -> Result<(), Error> {
        let attempts = attempts_json(attempts);
        on_backend!(self, |pool, dialect| {
            sqlx::query(
                "UPDATE kyc_ledger_keys SET state = 'unresolved', lease_until = NULL, attempts = $2
                 WHERE idempotency_key = $1",
            )
            .bind(key)
            .bind(&attempts)
            .execute(pool)
            .await
            .map(drop)
            .map_err(fail("mark_unresolved"))
        })
    }

    async fn find_live(
        &self,
        client_id: &str,
        fingerprint: &Fingerprint,
        now: DateTime<Utc>,
    ) -> Result<Option<SessionRecord>, Error> {
        // `SessionRecord::is_live` in SQL.
        let select = format!(
            "SELECT {SESSION_COLUMNS} FROM kyc_ledger_sessions
             WHERE client_id = $1 AND fingerprint = $2 AND link IS NOT NULL
                AND status = $3 AND NOT is_final AND (expires_at IS NULL OR expires_at > $4)
             ORDER BY seq DESC LIMIT 1"
        );
        on_backend!(self, |pool, dialect| {
            let row = sqlx::query(&select)
                .bind(client_id)
                .bind(fingerprint.as_str())
                .bind(Status::Created.as_ref())
                .bind(millis(now))
                .fetch_optional(pool)
                .await
                .map_err(fail("find_live"))?;
            row.as_ref().map(session_from_row).transpose()
        })
    }

    async fn session(
        &self,
        provider: &str,
        session_id: &str,
    ) -> Result<Option<SessionRecord>, Error> {
        let select = format!(
            "SELECT {SESSION_COLUMNS} FROM kyc_ledger_sessions
             WHERE provider = $1 AND session_id = $2"
        );
        on_backend!(self, |pool, dialect| {
            let row = sqlx::query(&select)
                .bind(provider)
                .bind(session_id)
                .fetch_optional(pool)
                .await
                .map_err(fail("session"))?;
            row.as_ref().map(session_from_row).transpose()
        })
    }

    async fn list(&self, filter: &ListFilter) -> Result<Vec<SessionRecord>, Error> {
        let mut conditions = Vec::new();
        let mut values: Vec<&str> = Vec::new();
        if let Some(client_id) = &filter.client_id {
            values.push(client_id);
            conditions.push(format!("client_id = ${}", values.len()));
        }
        if let Some(provider) = &filter.provider {
            values.push(provider);
            conditions.push(format!("provider = ${}", values.len()));
        }
        if let Some(status) = &filter.status {
            values.push(status.as_ref());
            conditions.push(format!("status = ${}", values.len()));
        }
        if filter.open_only {
            conditions.push("NOT is_final".to_owned());
        }
        let mut select = format!("SELECT {SESSION_COLUMNS} FROM kyc_ledger_sessions");
        if !conditions.is_empty() {
            select.push_str(" WHERE ");
            select.push_str(&conditions.join(" AND "));
        }
        // Newest first; among equals, in the order recorded (as `MemoryStore`).
        select.push_str(" ORDER BY created_at DESC, seq ASC");
        let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        // SQLite takes an OFFSET only after a LIMIT: "no limit" is then the largest one, which
        // both dialects read alike (no dialect-specific `LIMIT -1` or `LIMIT ALL`).
        let limit = match (filter.limit, filter.offset) {
            (None, 0) => None,
            (limit, _) => Some(limit.map_or(i64::MAX, count)),
        };
        let offset = (filter.offset > 0).then(|| count(filter.offset));
        if limit.is_some() {
            select.push_str(&format!(" LIMIT ${}", values.len() + 1));
        }
        if offset.is_some() {
            select.push_str(&format!(" OFFSET ${}", values.len() + 2));
        }
        on_backend!(self, |pool, dialect| {
            let mut query = sqlx::query(&select);
            for value in &values {
                query = query.bind(*value);
            }
            if let Some(limit) = limit {
                query = query.bind(limit);
            }
            if let Some(offset) = offset {
                query = query.bind(offset);
            }
            let rows = query.fetch_all(pool).await.map_err(fail("list"))?;
            rows.iter().map(session_from_row).collect()
        })
    }

    async fn record_event(&self, event: &EventRecord) -> Result<EventOutcome, Error> {
        let insert = format!(
            "INSERT INTO kyc_ledger_events ({EVENT_COLUMNS})
             VALUES ($1, $2, $3, $4, $5, $6, $7,
                COALESCE($8, (SELECT client_id FROM kyc_ledger_sessions
                              WHERE provider = $1 AND session_id = $2)),
                $9, $10)
             ON CONFLICT (provider, dedup_key) DO NOTHING"
        );
        let status = event.status.as_ref().map(AsRef::<str>::as_ref);
        on_backend!(self, |pool, dialect| {
            let mut tx = pool.begin_with(dialect.begin).await.map_err(fail("record_event"))?;
            let inserted = sqlx::query(&insert)
                .bind(&event.provider)
                .bind(&event.session_id)
                .bind(&event.dedup_key)
                .bind(event.event.as_deref())
                .bind(status)
                .bind(event.vendor_status.as_deref())
                .bind(event.is_final)
                .bind(event.client_id.as_deref())
                .bind(millis(event.occurred_at))
                .bind(&event.source)
                .execute(&mut *tx)
                .await
                .map_err(fail("record_event"))?;
            if inserted.rows_affected() == 0 {
                tx.commit().await.map_err(fail("record_event"))?;
                return Ok(EventOutcome::Duplicate);
            }
            let mut advanced = false;
            if let Some(status) = status {
                // `store::moves_forward` in SQL: a final status never changes, a final event
                // always ends a session that is not, a non-final one moves it only when at
                // least as recent as its last move.
                let moved = sqlx::query(
                    "UPDATE kyc_ledger_sessions SET status = $3, is_final = $4, updated_at = $5
                     WHERE provider = $1 AND session_id = $2
                        AND NOT is_final AND ($4 OR updated_at <= $5)",
                )
                .bind(&event.provider)
                .bind(&event.session_id)
                .bind(status)
                .bind(event.is_final)
                .bind(millis(event.occurred_at))
                .execute(&mut *tx)
                .await
                .map_err(fail("record_event"))?;
                advanced = moved.rows_affected() == 1;
            }
            tx.commit().await.map_err(fail("record_event"))?;
            Ok(EventOutcome::Recorded { advanced })
        })
    }

    async fn events(&self, provider: &str, session_id: &str) -> Result<Vec<EventRecord>, Error> {
        let select = format!(
            "SELECT {EVENT_COLUMNS} FROM kyc_ledger_events
             WHERE provider = $1 AND session_id = $2
             ORDER BY occurred_at ASC, seq ASC"
        );
        on_backend!(self, |pool, dialect| {
            let rows = sqlx::query(&select)
                .bind(provider)
                .bind(session_id)
                .fetch_all(pool)
                .await
                .map_err(fail("events"))?;
            rows.iter().map(event_from_row).collect()
        })
    }

    async fn remove_link(&self, provider: &str, session_id: &str) -> Result<bool, Error> {
        on_backend!(self, |pool, dialect| {
            let removed = sqlx::query(
                "UPDATE kyc_ledger_sessions SET link = NULL
                 WHERE provider = $1 AND session_id = $2 AND link IS NOT NULL",
            )
            .bind(provider)
            .bind(session_id)
            .execute(pool)
            .await
            .map_err(fail("remove_link"))?;
            Ok(removed.rows_affected() == 1)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_increase() {
        let versions: Vec<i64> = MIGRATIONS.iter().map(|m| m.version).collect();
        assert!(versions.windows(2).all(|pair| pair[0] < pair[1]));
        assert_eq!(versions.first(), Some(&1));
    }

    #[test]
    fn a_newer_schema_names_both_versions() {
        let error = check_version(latest_version() + 1).unwrap_err();
        let text = error.to_string();
        assert!(text.contains(&format!("version {}", latest_version() + 1)), "{text}");
        assert!(text.contains(&format!("({})", latest_version())), "{text}");
    }

    #[tokio::test]
    async fn urls_of_other_kinds_are_config_errors() {
        for url in ["mysql://root:hunter2@db/kyc", "sqlite:", "sqlite::memory:", "ledger.db"] {
            let error = SqlStore::open(url).await.unwrap_err();
            assert_eq!(error.kind(), kyc_core::ErrorKind::Config, "{url}");
            assert!(!error.to_string().contains("hunter2"));
        }
        let error = SqlStore::open("postgres://u:hunter2@[bad").await.unwrap_err();
        assert_eq!(error.kind(), kyc_core::ErrorKind::Config);
        assert!(!error.to_string().contains("hunter2"));
    }
}
