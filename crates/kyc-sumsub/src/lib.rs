//! [Sumsub](https://sumsub.com) behind the provider-neutral
//! [`VerificationSession`](kyc_core::VerificationSession) trait.
//!
//! A verification at Sumsub is an *applicant* checked against a named *level*. A session is a
//! hosted WebSDK link made by
//! `POST {base}/resources/sdkIntegrations/levels/-/websdkLink?lang=..`
//! (<https://docs.sumsub.com/reference/generate-websdk-external-link>) with the body
//! `{levelName, userId, applicantIdentifiers, ttlInSecs, redirect}`. Every call is signed
//! (<https://docs.sumsub.com/reference/authentication>): `X-App-Token`, `X-App-Access-Ts` (Unix
//! seconds, fresh per request) and `X-App-Access-Sig`, the lowercase hex HMAC-SHA256 under the
//! token's secret key of the timestamp, the method, the path with its query and the body, over
//! the very bytes sent ([`signature`]). The path signed is the one sent, a base URL's own path
//! included (a proxy or emulator prefix), so whatever checks the signature must see the same
//! request target.
//!
//! ```
//! use kyc_core::{ClientId, SessionRequest};
//! use kyc_sumsub::{Sumsub, SumsubOptions};
//!
//! let sumsub = Sumsub::builder("sbx:public-part.private-part", "secret-key")
//!     .with_level("basic-kyc-level")
//!     .with_webhook_secret("webhook-secret")
//!     .build()?;
//! let request = SessionRequest::new(ClientId::new("user-42")?)
//!     .with_options(SumsubOptions::default().with_customization_name("dark".into()));
//! let (url, body) = sumsub.encode(&request)?;
//! assert_eq!(url.path(), "/resources/sdkIntegrations/levels/-/websdkLink");
//! assert_eq!(
//!     String::from_utf8(body).unwrap(),
//!     r#"{"levelName":"basic-kyc-level","userId":"user-42","ttlInSecs":1800}"#
//! );
//! # Ok::<(), kyc_core::Error>(())
//! ```
//!
//! # The session
//!
//! The link's answer is `{"url": ...}` and nothing else: no id, no expiry. The applicant is
//! keyed by `userId`, which is the request's client id, and every webhook names it as
//! `externalUserId`; polling looks it up the same way. So [`Session::id`](kyc_core::Session::id)
//! is the client id: known before the call, stable per person, and what results carry. Two
//! sessions for one client id are one applicant (Sumsub resumes where the person stopped). The
//! session expires after the link validity, sent as `ttlInSecs` (default
//! [`DEFAULT_LINK_VALIDITY`]). `vendor_fields["levelName"]` is the level used.
//!
//! The neutral request maps onto: the client id onto `userId`, the person's email and phone
//! onto `applicantIdentifiers`, the success and failure redirects onto `redirect.successUrl`
//! and `redirect.rejectUrl`, the link validity onto `ttlInSecs`, the locale onto `lang`
//! (<https://docs.sumsub.com/docs/supported-sdk-languages>: `zh-Hant` as `zh-tw`, `nb` as
//! `no`). [`SumsubOptions`] adds a level per request and the `customizationName` and
//! `translationName` query parameters.
//!
//! Not supported, so refused before sending: names, date of birth, sex, nationality, personal
//! number and address (Sumsub takes them only on an applicant created beforehand, not on a
//! link), document types, country, number and dates, and the flow (a level decides its steps,
//! <https://docs.sumsub.com/reference/create-applicant>), a cancel redirect (Sumsub has success
//! and reject only), a per-session webhook (webhooks are set per workspace), a session
//! duration, external references and tags, Macedonian, Slovenian and Albanian, and business
//! sessions unless a KYB level is configured. Sumsub documents no bounds for `ttlInSecs`:
//! [`LINK_VALIDITY`] is what this adapter sends, up to the 7 days of the dashboard's own
//! permalinks (<https://docs.sumsub.com/docs/generate-websdk-permalink>).
//!
//! # KYB
//!
//! A company is an applicant checked against a company level
//! (<https://docs.sumsub.com/reference/create-applicant>). With
//! [`SumsubBuilder::with_kyb_level`] (`SUMSUB_KYB_LEVEL_NAME`), business sessions are links for
//! that level, with the same fields; without one, [`Sumsub`]'s capabilities offer no business
//! kind and a business request or poll is `Unsupported`. Webhooks of company applicants
//! (`applicantType: "company"`) are business decisions; those of their beneficiaries
//! (`applicantMemberOf`) are notices.
//!
//! # Erasure
//!
//! Not offered: Sumsub's API deactivates an applicant
//! (`PATCH /resources/applicants/{applicantId}/presence/deactivated`,
//! <https://docs.sumsub.com/reference/deactivate-applicant-profile>), which hides the profile
//! and can be undone (`presence/activated`), but deletes nothing; no API call erases an
//! applicant's personal data, which Sumsub handles as a request from the data controller
//! outside the API. Deactivation is not erasure, so the capabilities declare no erasure, and
//! [`Sumsub`]'s [`SessionErasure`](kyc_core::SessionErasure) refuses every session as
//! [`Unsupported`](kyc_core::ErrorKind::Unsupported) without sending anything: code that erases
//! through any provider (the `kyc session erase` command) is told so, in the same words as for
//! any undeclared feature.
//!
//! # Errors
//!
//! Sumsub answers `{description, code, correlationId, errorCode, errorName}`
//! (<https://docs.sumsub.com/reference/error-codes-description>). The `errorCode` decides before
//! the status; the `correlationId`, which Sumsub's support asks for, is kept in
//! [`Error::vendor_message`](kyc_core::Error::vendor_message) and read with [`correlation_id`]:
//!
//! | answer | neutral kind |
//! |---|---|
//! | 5xx, whatever the code | unavailable (503: nothing processed; others: outcome unknown) |
//! | `errorCode` 4004 (`X-App-Access-Ts` more than a minute off) | config: the clock of the host running this client is wrong, with http 401 and code 4004 |
//! | `errorCode` 4003 (signature mismatch), 4000–4002, 4005–4007 (token, secret key, headers) | unauthenticated |
//! | `errorCode` 1008 (applicant deactivated), 1009 (finally rejected), or any 409 | conflict |
//! | 401 without a code | unauthenticated |
//! | 402 | out of funds |
//! | 403 (the token lacks a permission, or the IP is not allowed) | forbidden |
//! | 400, 404, 405, 415 | rejected (404: failover moves on) |
//! | 429 (50 POST or 300 GET per 5 s, <https://docs.sumsub.com/reference/rate-limits>) | rate limited, with `Retry-After` when sent, else 5 s |
//! | a body that is not Sumsub's JSON (HTML, empty) | by status, as above |
//!
//! A stale timestamp is `Config`, not `Unauthenticated`: the credentials are fine, and an
//! operator told "refused the credentials" would rotate a working token while the fix is the
//! machine's clock (NTP). Like every `Config`, failover moves on and nothing was created.
//! A signature mismatch (4003) stays `Unauthenticated` (code 4003): the secret key is not the
//! token's.
//!
//! # Results
//!
//! [`SumsubWebhooks`] verifies webhooks from the webhook secrets alone; [`Sumsub`] also polls
//! ([`VerificationResults`](kyc_core::VerificationResults)) by the external user id. How
//! review statuses and webhook types become neutral statuses is the two tables of
//! [`results`], each tested row by row.

mod client;
mod erasure;
mod error;
mod options;
pub mod results;
mod signature;
mod wire;

use std::ops::RangeInclusive;
use std::time::Duration;

use kyc_core::{Capabilities, Field, KindCapabilities, Locale};
use strum::IntoEnumIterator;

pub use client::{DEFAULT_BASE_URL, DEFAULT_LEVEL, Sumsub, SumsubBuilder};
pub use error::{SIGNATURE_MISMATCH, STALE_TIMESTAMP, correlation_id};
pub use options::{OPTIONS_KEY, SumsubOptions};
pub use results::{SumsubWebhookFormat, SumsubWebhooks};
pub use signature::signature;

/// The provider's default name.
pub const PROVIDER: &str = "sumsub";

/// The link validity sent when a request sets none (`ttlInSecs`; Sumsub's own examples use
/// 1800, <https://docs.sumsub.com/reference/generate-websdk-external-link>).
pub const DEFAULT_LINK_VALIDITY: Duration = Duration::from_secs(1800);

/// The link validities this adapter sends: one minute to 7 days.
pub const LINK_VALIDITY: RangeInclusive<Duration> =
    Duration::from_secs(60)..=Duration::from_secs(7 * 24 * 3600);

/// What a Sumsub client without a KYB level can honour: identity sessions only. The table a
/// client declares, readable without one.
///
/// ```
/// use kyc_core::VerificationKind;
/// assert!(kyc_sumsub::capabilities().for_kind(VerificationKind::Business).is_none());
/// assert!(kyc_sumsub::capabilities_with_kyb().for_kind(VerificationKind::Business).is_some());
/// ```
pub fn capabilities() -> Capabilities {
    capabilities_for(false)
}

/// What a Sumsub client with a KYB level ([`SumsubBuilder::with_kyb_level`]) can honour:
/// identity and business sessions, alike.
pub fn capabilities_with_kyb() -> Capabilities {
    capabilities_for(true)
}

pub(crate) fn capabilities_for(kyb: bool) -> Capabilities {
    let kind = KindCapabilities::new()
        .with_fields([
            Field::Email,
            Field::Phone,
            Field::Locale,
            Field::SuccessUrl,
            Field::FailureUrl,
        ])
        .with_locales(Locale::iter().filter(|locale| wire::lang_code(*locale).is_some()))
        .with_link_validity(LINK_VALIDITY)
        .with_default_link_validity(DEFAULT_LINK_VALIDITY);
    let capabilities = Capabilities::new().with_identity(kind.clone());
    match kyb {
        true => capabilities.with_business(kind),
        false => capabilities,
    }
}
