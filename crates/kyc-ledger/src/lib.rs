//! A ledger of KYC sessions and their events, so a session is bought once whatever retries,
//! double clicks, job queues or app instances do: vendors take no idempotency key
//! (`POST /api/v2/token`, `POST /v1/sessions`, `POST /workflow_runs` each buy one), so the
//! record of what was bought lives with you, as payments keep theirs (Stripe's idempotency keys).
//!
//! - [`LedgerStore`]: where the records live, every operation atomic: [`MemoryStore`] in this
//!   process, [`SqlStore`] in SQLite (a file: the embedded default) or PostgreSQL (a fleet of
//!   app instances sharing one database).
//! - [`Ledger`]: creation through any provider (an adapter, a failover chain, a router) with an
//!   idempotency key, reuse of a live session, and events recorded once.
//!
//! Nothing personal is stored in clear: a request is kept as a keyed fingerprint, a link (a
//! bearer secret) is never printed by `Debug` nor logged.

mod ledger;
mod memory;
mod record;
mod sql;
mod store;

pub use ledger::{Created, Ledger, LedgerBuilder, MAX_KEY_CHARS, Reuse};
pub use memory::MemoryStore;
pub use record::{AttemptRecord, EventRecord, Fingerprint, SessionRecord};
pub use sql::SqlStore;
pub use store::{Claim, EventOutcome, KeyEntry, KeyState, LedgerStore, ListFilter};

/// The ledger's name in errors and logs.
pub const PROVIDER: &str = "ledger";
