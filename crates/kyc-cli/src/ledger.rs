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

use std::io::Read;
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
/// for the built-in emulator, else the configured (or default) database.
pub(crate) async fn open(
    on_emulator: bool,
    reuse: Reuse,
    account: String,
) -> Result<Ledger, Failure> {
    let stored = match on_emulator {
        true => None,
        false => stored().await?,
    };
    let (store, key) = match stored {
        Some(stored) => stored,
        // Nowhere to keep it (no KYC_DATABASE_URL, no HOME): this command's sessions are not
        // kept, as `--help` says.
        None => (Arc::new(MemoryStore::new()) as Arc<dyn LedgerStore>, b"in memory".to_vec()),
    };
    Ok(Ledger::builder(store, key).with_reuse(reuse).with_account(account).build())
}

/// The configured store and key; `None` when nothing is configured and there is no data
/// directory for the default file.
pub(crate) async fn stored() -> Result<Option<(Arc<dyn LedgerStore>, Vec<u8>)>, Failure> {
    let configured = std::env::var(DATABASE_VAR).ok().filter(|url| !url.trim().is_empty());
    let (url, key_file) = match configured {
        Some(url) => (url, None),
        None => {
            let Some(path) = default_database() else { return Ok(None) };
            let key_file = path.with_file_name("ledger.key");
            (format!("sqlite:{}", path.display()), Some(key_file))
        }
    };
    let store = SqlStore::open(&url).await.map_err(Failure::Kyc)?;
    let key = match std::env::var(KEY_VAR).ok().filter(|key| !key.trim().is_empty()) {
        Some(key) => key.into_bytes(),
        None => match key_file {
            Some(file) => key_from_file(&file)?,
            None => {
                return Err(Failure::Config(format!(
                    "invalid ledger configuration: set {KEY_VAR} (the same on every host sharing \
                     {DATABASE_VAR})"
                )));
            }
        },
    };
    Ok(Some((Arc::new(store), key)))
}

/// The key in `file`, made (32 random bytes, hex, readable by the owner only) on first use.
fn key_from_file(file: &std::path::Path) -> Result<Vec<u8>, Failure> {
    let unreadable = |what: &str| {
        Failure::Config(format!("invalid ledger configuration: {what} {}", file.display()))
    };
    if let Ok(key) = std::fs::read_to_string(file) {
        return match key.trim() {
            "" => Err(unreadable("empty key file")),
            key => Ok(key.as_bytes().to_vec()),
        };
    }
    let mut random = [0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut source| source.read_exact(&mut random))
        .map_err(|_| {
            unreadable(&format!("no random source to make a key; set {KEY_VAR} instead of"))
        })?;
    let key: String = random.iter().map(|byte| format!("{byte:02x}")).collect();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written =
        options.open(file).and_then(|mut out| std::io::Write::write_all(&mut out, key.as_bytes()));
    match written {
        Ok(()) => Ok(key.into_bytes()),
        // Another process made it first: use theirs.
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => key_from_file(file),
        Err(_) => Err(unreadable("cannot write the key file")),
    }
}

/// Records a polled decision, saying on standard error when the ledger cannot.
pub(crate) async fn record_poll(decision: &kyc::Decision) {
    let record = EventRecord::from_decision(decision, "poll", chrono::Utc::now());
    let _ = record_event(&record).await;
}

/// Records a verified webhook event; whether it was recorded before (a redelivery).
pub(crate) async fn record_webhook(event: &kyc::WebhookEvent) -> bool {
    let Some(record) = EventRecord::from_webhook(event, chrono::Utc::now()) else { return false };
    record_event(&record).await == Some(EventOutcome::Duplicate)
}

async fn record_event(record: &EventRecord) -> Option<EventOutcome> {
    let (store, _) = kept().await?;
    match store.record_event(record).await {
        Ok(outcome) => Some(outcome),
        Err(error) => {
            crate::output::not_recorded(&error.to_string());
            None
        }
    }
}

/// Forgets an erased session's link.
pub(crate) async fn forget_link(provider: &str, session_id: &str) {
    let Some((store, _)) = kept().await else { return };
    if let Err(error) = store.remove_link(provider, session_id).await {
        crate::output::not_recorded(&error.to_string());
    }
}

/// The configured ledger for recording, or `None` (said on standard error) when there is none
/// or it cannot be opened: what a command learnt from a vendor is printed all the same.
async fn kept() -> Option<(Arc<dyn LedgerStore>, Vec<u8>)> {
    match stored().await {
        Ok(Some(stored)) => Some(stored),
        Ok(None) => None,
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

/// The configured ledger for reading (`session list`, `session show`): an error when none is
/// configured and there is no data directory for the default file.
pub(crate) async fn for_reading() -> Result<Arc<dyn LedgerStore>, Failure> {
    match stored().await? {
        Some((store, _)) => Ok(store),
        None => Err(Failure::Config(format!(
            "invalid ledger configuration: set {DATABASE_VAR} (no HOME or XDG_DATA_HOME for the \
             default SQLite file)"
        ))),
    }
}
