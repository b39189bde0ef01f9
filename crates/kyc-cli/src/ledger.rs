//! The `kyc` command's ledger (the `kyc-ledger` crate): every session it creates, with the
//! events it learns, so a session is bought once per idempotency key from any number of hosts,
//! and `kyc session list` shows what the vendors' dashboards list.
//!
//! | variable | |
//! |---|---|
//! | `KYC_DATABASE_URL` | `sqlite:PATH` or `postgres://…`; default a SQLite file in the user's data directory ([`default_database`]) |
//! | `KYC_LEDGER_KEY` | the key requests are fingerprinted with (the same on every host sharing a database); default a random key in `ledger.key` beside the default SQLite file, made on first use |
//!
//! Sessions on the built-in emulator are kept in memory only: the emulator, and its sessions,
//! are gone when the command ends.

use std::path::PathBuf;
use std::sync::Arc;

use kyc_ledger::{EventOutcome, EventRecord, Ledger, LedgerStore, MemoryStore, Reuse, SqlStore};

use crate::exit::Failure;

/// The ledger's database.
pub(crate) const DATABASE_VAR: &str = "KYC_DATABASE_URL";
/// The fingerprint key.
pub(crate) const KEY_VAR: &str = "KYC_LEDGER_KEY";

/// The default SQLite file: `$XDG_DATA_HOME/kyc/ledger.sqlite`, else
/// `$HOME/.local/share/kyc/ledger.sqlite`.
pub(crate) fn default_database() -> Option<PathBuf> {
    let data = std::env::var_os("XDG_DATA_HOME")
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
        std::env::var_os("HOME")
            .filter(|h| !h.is_empty())
            .map(|home| PathBuf::from(home).join(".local/share"))
    })?;
    Some(data.join("kyc").join("ledger.sqlite"))
}

/// The ledger for a command, with its reuse policy and the vendor `account` label: in memory
/// for the built-in emulator, else the configured (or default) database, with its key.
pub(crate) async fn open(
    on_emulator: bool,
    reuse: Reuse,
    account: String,
) -> Result<Ledger, Failure> {
    let (store, key) = open_store(on_emulator).await?;
    Ok(over(store, key, reuse, account))
}

/// The ledger over `store`, fingerprinting with `key`, for the vendor `account`.
pub(crate) fn over(
    store: Arc<dyn LedgerStore>,
    key: Vec<u8>,
    reuse: Reuse,
    account: String,
) -> Ledger {
    Ledger::builder(store, key).with_reuse(reuse).with_account(account).build()
}

/// What `--new` (or the form's box) asks of a live session of the same request.
pub(crate) fn reuse(new: bool) -> Reuse {
    match new {
        true => Reuse::Never,
        false => Reuse::LiveSession,
    }
}

/// The store a ledger is built on, and its fingerprint key: in memory for the built-in
/// emulator, else the configured (or default) database.
pub(crate) async fn open_store(
    on_emulator: bool,
) -> Result<(Arc<dyn LedgerStore>, Vec<u8>), Failure> {
    let place = match on_emulator {
        true => None,
        false => place()?,
    };
    Ok(match place {
        Some(place) => (place.open().await?, place.key()?),
        // Nowhere to keep it (no KYC_DATABASE_URL, no HOME): this command's sessions are not
        // kept, as `--help` says.
        None => (Arc::new(MemoryStore::new()), b"in memory".to_vec()),
    })
}

/// Where the ledger is: a database URL, and the key file beside the default SQLite file.
struct Place {
    url: String,
    key_file: Option<PathBuf>,
}

/// The configured ledger's place; `None` when nothing is configured and there is no data
/// directory for the default file.
fn place() -> Result<Option<Place>, Failure> {
    if let Some(url) = std::env::var(DATABASE_VAR).ok().filter(|url| !url.trim().is_empty()) {
        return Ok(Some(Place { url, key_file: None }));
    }
    let Some(path) = default_database() else { return Ok(None) };
    let dir = path.parent().unwrap_or(&path);
    // Links are bearer secrets: the default directory is the user's alone.
    std::fs::create_dir_all(dir)
        .and_then(|()| private(dir))
        .map_err(|_| config(&format!("cannot make the directory {}", dir.display())))?;
    let key_file = path.with_file_name("ledger.key");
    Ok(Some(Place { url: format!("sqlite:{}", path.display()), key_file: Some(key_file) }))
}

impl Place {
    /// The store (reading and recording need no key).
    async fn open(&self) -> Result<Arc<dyn LedgerStore>, Failure> {
        Ok(Arc::new(SqlStore::open(&self.url).await.map_err(Failure::Kyc)?))
    }

    /// The fingerprint key: `KYC_LEDGER_KEY`, else the key file beside the default database.
    fn key(&self) -> Result<Vec<u8>, Failure> {
        if let Some(key) = std::env::var(KEY_VAR).ok().filter(|key| !key.trim().is_empty()) {
            return Ok(key.into_bytes());
        }
        match &self.key_file {
            Some(file) => key_from_file(file),
            None => Err(config(&format!(
                "set {KEY_VAR} (the same on every host sharing {DATABASE_VAR})"
            ))),
        }
    }
}

fn config(what: &str) -> Failure {
    Failure::Config(format!("invalid ledger configuration: {what}"))
}

#[cfg(unix)]
fn private(dir: &std::path::Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
}

#[cfg(not(unix))]
fn private(_: &std::path::Path) -> std::io::Result<()> {
    Ok(())
}

/// The key in `file`, made on first use: 32 random bytes in hex, written whole to a file of
/// this process's and then linked into place, so a concurrent first use reads a whole key
/// (the link fails when another process was first: its key is read).
fn key_from_file(file: &std::path::Path) -> Result<Vec<u8>, Failure> {
    let unreadable = || config(&format!("cannot read the key file {}", file.display()));
    let read = |file: &std::path::Path| match std::fs::read_to_string(file) {
        Ok(key) if !key.trim().is_empty() => Ok(Some(key.trim().as_bytes().to_vec())),
        Ok(_) => Err(unreadable()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(_) => Err(unreadable()),
    };
    if let Some(key) = read(file)? {
        return Ok(key);
    }
    let random = crate::random::try_bytes()
        .map_err(|_| config(&format!("no random source to make a key: set {KEY_VAR}")))?;
    let key = crate::random::hex(&random);
    let own = file.with_extension(format!("key.{}", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options
        .open(&own)
        .and_then(|mut out| std::io::Write::write_all(&mut out, key.as_bytes()))
        .and_then(|()| std::fs::hard_link(&own, file));
    let _ = std::fs::remove_file(&own);
    match written {
        Ok(()) => Ok(key.into_bytes()),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
            read(file)?.ok_or_else(unreadable)
        }
        Err(_) => Err(config(&format!("cannot write the key file {}", file.display()))),
    }
}

/// The configured store, for reading and recording (no key needed); `None` when there is
/// none, or (said on standard error) when it cannot be opened: what a command learnt from a
/// vendor is printed all the same.
pub(crate) async fn recorder() -> Option<Arc<dyn LedgerStore>> {
    let opened = match place() {
        Ok(Some(place)) => place.open().await,
        Ok(None) => return None,
        Err(failure) => Err(failure),
    };
    match opened {
        Ok(store) => Some(store),
        Err(Failure::Kyc(error)) => {
            crate::output::not_recorded(&error.to_string());
            None
        }
        Err(Failure::Config(message)) => {
            crate::output::not_recorded(&message);
            None
        }
        Err(_) => None,
    }
}

/// The configured store for reading (`session list`, `session show`): an error when none is
/// configured and there is no data directory for the default file.
pub(crate) async fn for_reading() -> Result<Arc<dyn LedgerStore>, Failure> {
    match place()? {
        Some(place) => place.open().await,
        None => Err(config(&format!(
            "set {DATABASE_VAR} (no HOME or XDG_DATA_HOME for the default SQLite file)"
        ))),
    }
}

/// Records a polled decision in `store`, saying on standard error when it cannot; whether it
/// was recorded (now or before).
pub(crate) async fn record_poll(store: &dyn LedgerStore, decision: &kyc::Decision) -> bool {
    let record = EventRecord::from_decision(decision, "poll", chrono::Utc::now());
    record_event(store, &record).await.is_some()
}

/// What became of a verified webhook event in the ledger.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kept {
    /// Recorded now.
    Recorded,
    /// Recorded before: a redelivery.
    Duplicate,
    /// About no session (a vendor's test ping): nothing to keep.
    AboutNoSession,
    /// The ledger could not record it (said on standard error).
    NotRecorded,
}

/// Records a verified webhook event, once.
pub(crate) async fn record_webhook(store: &dyn LedgerStore, event: &kyc::WebhookEvent) -> Kept {
    let Some(record) = EventRecord::from_webhook(event, chrono::Utc::now()) else {
        return Kept::AboutNoSession;
    };
    match record_event(store, &record).await {
        Some(EventOutcome::Duplicate) => Kept::Duplicate,
        Some(_) => Kept::Recorded,
        None => Kept::NotRecorded,
    }
}

async fn record_event(store: &dyn LedgerStore, record: &EventRecord) -> Option<EventOutcome> {
    match store.record_event(record).await {
        Ok(outcome) => Some(outcome),
        Err(error) => {
            crate::output::not_recorded(&error.to_string());
            None
        }
    }
}

/// Forgets an erased session's link; whether the ledger could (saying on standard error when
/// it cannot).
pub(crate) async fn forget_link(store: &dyn LedgerStore, provider: &str, session_id: &str) -> bool {
    match store.remove_link(provider, session_id).await {
        Ok(_) => true,
        Err(error) => {
            crate::output::not_recorded(&error.to_string());
            false
        }
    }
}
