//! [Veriff](https://www.veriff.com) behind the provider-neutral
//! [`VerificationSession`](kyc_core::VerificationSession) trait.
//!
//! Sessions are created with `POST {base}/v1/sessions` and the `X-AUTH-CLIENT` header
//! (<https://devdocs.veriff.com/apidocs/v1sessions>,
//! <https://devdocs.veriff.com/docs/how-to-generate-sessions-manually>). With a shared secret
//! configured, the body is also signed in `X-HMAC-SIGNATURE` (lowercase hex HMAC-SHA256 of the
//! exact bytes sent, <https://devdocs.veriff.com/docs/hmac-authentication-and-endpoint-security>).
//! The person opens `verification.url`; the session expires 7 days after creation.
//!
//! The neutral request maps onto `verification`: the success redirect onto `callback` (https
//! only), the person onto `person` and `address.fullAddress`, the expected document onto
//! `document` (one type), the client id onto `vendorData`, the locale onto `lang`. Every other
//! documented field is a typed [`VeriffOptions`] field, with [`VeriffOptions::extra`] for fields
//! Veriff adds later.
//!
//! ```
//! use kyc_core::{ClientId, SessionRequest};
//! use kyc_veriff::{Veriff, VeriffOptions};
//!
//! let veriff = Veriff::builder("3fa85f64-5717-4562-b3fc-2c963f66afa6")
//!     .with_shared_secret("my-shared-secret")
//!     .build()?;
//! let request = SessionRequest::new(ClientId::new("user-1")?).with_options(
//!     VeriffOptions::default().with_end_user_id("fa820aba-019f-455a-ae81-cfca8075bc3f".into()),
//! );
//! # let _ = (veriff, request);
//! # Ok::<(), kyc_core::Error>(())
//! ```
//!
//! The locale goes as `lang`, an ISO 639-1 code; Veriff starts the flow in English for a
//! language it lacks
//! (<https://help.veriff.com/en/articles/3250255-is-it-possible-to-set-a-certain-language-for-a-verification-session>),
//! so every neutral locale is accepted. Traditional Chinese (`zh-Hant`) is sent as `zh`: ISO
//! 639-1 names no script.
//!
//! Webhooks are verified by [`VeriffWebhooks`], built from the shared secret alone (or reached
//! through [`Veriff::webhooks`]): decisions and the person's progress become
//! [`Decision`](kyc_core::Decision)s, every other signed webhook a
//! [`Notice`](kyc_core::Notice) (the event strings: [`WATCHLIST_SCREENING`], [`FULL_AUTO`],
//! [`UNKNOWN_EVENT`], or a user-defined status's own `eventType`). [`Veriff`] also polls
//! decisions ([`VerificationResults`](kyc_core::VerificationResults)) and deletes sessions
//! ([`SessionErasure`](kyc_core::SessionErasure): `DELETE {base}/v1/sessions/{id}`,
//! <https://devdocs.veriff.com/apidocs/v1sessionsid-3>), both signed with the session id and so
//! needing a shared secret.
//!
//! Not supported by Veriff's create call, so refused before sending: business (KYB)
//! verification, failure and cancel redirects (one `callback` serves all outcomes), a
//! per-session webhook (webhooks are set per integration), a link validity other than the fixed
//! 7 days, a session duration, more than one document type, the document types it lacks,
//! nationality, document issue and expiry dates, external references, tags and flows (set per
//! integration). Never retried: Veriff has no idempotency key.
//!
//! Veriff documents limits for four values, all checked before sending: `vendorData` (the
//! client id) at most 1000 characters and `callback` https only
//! (<https://devdocs.veriff.com/docs/some-troubleshooting-codes-table>), `endUserId` a UUID and
//! `document.number` letters and digits only (<https://devdocs.veriff.com/apidocs/v1sessions>).
//!
//! # Signed answers
//!
//! Veriff signs its answers to signed requests with `X-HMAC-SIGNATURE`
//! (<https://devdocs.veriff.com/docs/general-faq>: "this way Veriff will also always return
//! X-HMAC-signature"; `VRF-HMAC-SIGNATURE` is the other name it uses,
//! <https://devdocs.veriff.com/docs/hmac-authentication-and-endpoint-security>). With a shared
//! secret configured, every successful answer that carries either header is checked before it
//! is read: hex HMAC-SHA256 of the raw body, against every configured secret, in constant time,
//! either case. A mismatch is [`ErrorKind::InvalidSignature`](kyc_core::ErrorKind::InvalidSignature)
//! with the outcome unknown: the answer may not be Veriff's, and a session may exist. An answer
//! without the header is taken (logged at debug level): Veriff documents the header for answers
//! to signed requests, not for every answer (nor would a proxy's error page carry it). Refusals
//! are classified without the check: a forged refusal cannot make an application act on a
//! session that is not there, and Veriff's answer to a request signed with the wrong secret
//! (1818, 1819) must read as that configuration problem, not as a forgery. The check is a second
//! line behind TLS, not a replacement: someone able to rewrite answers in transit could also
//! strip the header, or forge a refusal that makes failover move on.
//!
//! # Errors
//!
//! Veriff answers `{status, code, message}`, `status` being `"fail"` or the number 400 and
//! `code` a string or a number, both read
//! (<https://devdocs.veriff.com/docs/some-troubleshooting-codes-table>,
//! <https://devdocs.veriff.com/apidocs/v1sessionsid-3>). The code decides before the status:
//!
//! | answer | neutral kind |
//! |---|---|
//! | code 1804 (the integration is not active) | forbidden: [`Denial::AccountInactive`](kyc_core::Denial::AccountInactive) |
//! | 401, or any other `18xx` code (API key, signature) | unauthenticated |
//! | code 1305 or 1306 (deleting a session not completed, or in progress) | conflict |
//! | 402 | out of funds |
//! | 403 (Veriff documents none; deleting is off unless enabled) | forbidden: [`Denial::FeatureNotEnabled`](kyc_core::Denial::FeatureNotEnabled) |
//! | 400 with a `1xxx`/`2xxx` code (1102 missing parameters, 1302 non-HTTPS callback, 1500/1501 vendorData, ...) | rejected |
//! | 404, 409 | rejected |
//! | 429 (deleting: 5 sessions per hour, 10 per 24 hours) | rate limited, with `Retry-After` when sent |
//! | 5xx, whatever the code | unavailable |
//! | a body that is not Veriff's JSON (HTML, empty) | by status, as above |
//! | a signed answer whose signature does not match | invalid signature (outcome unknown) |

mod client;
mod erasure;
mod error;
mod options;
mod results;
mod signature;
mod wire;

use std::time::Duration;

use kyc_core::{Capabilities, DocumentType, Field, KindCapabilities, Locale};
use strum::IntoEnumIterator;

pub use client::{DEFAULT_BASE_URL, Veriff, VeriffBuilder};
pub use options::{Consent, ConsentType, IdCardType, MaritalStatus, OPTIONS_KEY, VeriffOptions};
pub use results::{
    FULL_AUTO, UNKNOWN_EVENT, VeriffWebhookFormat, VeriffWebhooks, WATCHLIST_SCREENING,
};
pub use signature::signature;

/// The provider's default name.
pub const PROVIDER: &str = "veriff";

/// A session lives 7 days from creation; it cannot be changed
/// (<https://devdocs.veriff.com/docs/verification-session-status-codes-table>).
pub const SESSION_LIFETIME: Duration = Duration::from_secs(7 * 24 * 3600);

/// What Veriff can honour, as documented: the table every [`Veriff`] client declares, readable
/// without one.
///
/// ```
/// use kyc_core::VerificationKind;
/// assert!(kyc_veriff::capabilities().for_kind(VerificationKind::Business).is_none());
/// ```
pub fn capabilities() -> Capabilities {
    let identity = KindCapabilities::new()
        .with_fields([
            Field::FirstName,
            Field::LastName,
            Field::DateOfBirth,
            Field::Sex,
            Field::PersonalNumber,
            Field::Address,
            Field::Email,
            Field::Phone,
            Field::DocumentTypes,
            Field::DocumentCountry,
            Field::DocumentNumber,
            Field::Locale,
            Field::SuccessUrl,
        ])
        .with_document_types(
            DocumentType::iter().filter(|t| wire::document_type_name(*t).is_some()),
        )
        .with_max_document_types(1)
        // Veriff falls back to English for a language it lacks
        // (https://help.veriff.com/en/articles/3250255-is-it-possible-to-set-a-certain-language-for-a-verification-session).
        .with_locales(Locale::iter())
        .with_link_validity(SESSION_LIFETIME..=SESSION_LIFETIME)
        .with_default_link_validity(SESSION_LIFETIME)
        // Code 1500: vendorData longer than 1000 symbols; 1302: only HTTPS return URLs
        // (https://devdocs.veriff.com/docs/some-troubleshooting-codes-table).
        .with_max_chars(Field::ClientId, 1000)
        .with_https_only(Field::SuccessUrl)
        // DELETE /v1/sessions/{id} (https://devdocs.veriff.com/apidocs/v1sessionsid-3).
        .with_erasure();
    Capabilities::new().with_identity(identity)
}
