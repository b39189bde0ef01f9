//! An adapter for **Acme ID**, a made-up identity-verification vendor, written only against the
//! two crates every adapter builds on, exactly as a third party writes one in its own crate:
//!
//! - the application API, `kyc-core` (here through the `kyc` facade, which re-exports it): the
//!   [`VerificationSession`](kyc::VerificationSession) trait, the [`SessionRequest`](kyc::SessionRequest)
//!   it receives, the [`Session`](kyc::Session) and [`Error`](kyc::Error) it returns;
//! - the adapter kit, `kyc-adapter`: the builder's shared settings, the HTTP client, the
//!   classification of statuses, lenient decoding and webhook signature checks.
//!
//! In its own crate this module is `lib.rs` and its submodules sit beside it, with the layout the
//! iDenfy and Veriff adapters have:
//!
//! | module | what it holds |
//! |---|---|
//! | this one (`lib.rs`) | the capability table, the constants, the re-exports |
//! | [`client`] | the builder, the client and `create_session`: preflight, one exchange, the session |
//! | [`wire`] | Acme's JSON (private serde structs) and Acme's own rules for neutral values |
//! | [`error`] | Acme's error answers mapped onto the neutral [`Error`](kyc::Error) |
//! | [`options`] | [`AcmeOptions`]: what only Acme can do, typed |
//! | [`results`] | [`AcmeWebhooks`] and polling |
//!
//! Acme ID's API (described in full in `docs/writing-a-provider.md`): `POST /v2/checks` with
//! `Authorization: Bearer <api key>` and `{reference, given_name, family_name, language,
//! return_url, expires_in, workflow, max_attempts}` answers `201 {check_id, link, expires_at}`;
//! errors are `{error: {code, message, field?}}`; `GET /v2/checks/{id}` answers the check's
//! status; webhooks carry `Acme-Signature: <hex HMAC-SHA256 of the raw body>`.
//!
//! Not supported by Acme's create call, so refused before sending: business (KYB) verification,
//! the person's details beyond the two names, document restrictions, flows, failure and cancel
//! redirects (one `return_url` serves every outcome), per-session webhooks (set per account),
//! session durations, external references and tags. Never retried: Acme has no idempotency key
//! and bills every check.

// In its own crate this module is `lib.rs` and these items are its public API; inside this
// example binary nothing is exported, so every `pub` is unreachable by construction. Keeping
// `pub` keeps the code what a third party would copy.
#![allow(unreachable_pub)]

mod client;
mod error;
mod options;
mod results;
mod wire;

use std::time::Duration;

use kyc::{Capabilities, Field, KindCapabilities, Locale};

pub use client::{Acme, AcmeBuilder, DEFAULT_BASE_URL};
pub use options::{AcmeOptions, OPTIONS_KEY, Workflow};
pub use results::{AcmeWebhookFormat, AcmeWebhooks};

/// The provider's default name, in sessions, errors and logs.
pub const PROVIDER: &str = "acme";

/// The UI languages Acme documents for `language`.
pub const LANGUAGES: [Locale; 6] =
    [Locale::En, Locale::De, Locale::Fr, Locale::Es, Locale::Lt, Locale::Pl];

/// The shortest and longest `expires_in` Acme accepts: 5 minutes to 7 days.
pub const LINK_VALIDITY: std::ops::RangeInclusive<Duration> =
    Duration::from_secs(300)..=Duration::from_secs(7 * 24 * 3600);

/// How long a link lives when the request sets no `expires_in`.
pub const DEFAULT_LINK_VALIDITY: Duration = Duration::from_secs(24 * 3600);

/// What Acme can honour, as its documentation says: the table every [`Acme`] client declares,
/// readable without one (to compare vendors, or to route before any client exists).
///
/// Declare only what the adapter really sends: the conformance suite creates a session with
/// every declared field and value, and expects everything else refused before sending.
pub fn capabilities() -> Capabilities {
    let identity = KindCapabilities::new()
        .with_fields([Field::FirstName, Field::LastName, Field::Locale, Field::SuccessUrl])
        .with_locales(LANGUAGES)
        .with_link_validity(LINK_VALIDITY)
        .with_default_link_validity(DEFAULT_LINK_VALIDITY)
        // `reference`: at most 128 printable ASCII characters.
        .with_max_chars(Field::ClientId, 128)
        .with_ascii_only(Field::ClientId)
        .with_max_chars(Field::FirstName, 100)
        .with_max_chars(Field::LastName, 100)
        // `return_url` must be https: results reach the person's browser through it.
        .with_https_only(Field::SuccessUrl);
    Capabilities::new().with_identity(identity)
}
