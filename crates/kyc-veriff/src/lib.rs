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
//! Webhooks are verified by [`VeriffWebhooks`], built from the shared secret alone (or reached
//! through [`Veriff::webhooks`]); [`Veriff`] also polls decisions
//! ([`VerificationResults`](kyc_core::VerificationResults)).
//!
//! Not supported by Veriff's create call, so refused before sending: business (KYB)
//! verification, failure and cancel redirects (one `callback` serves all outcomes), a
//! per-session webhook (webhooks are set per integration), a link validity other than the fixed
//! 7 days, a session duration, more than one document type, the document types it lacks,
//! nationality, document issue and expiry dates, external references, tags and flows (set per
//! integration). Never retried: Veriff has no idempotency key.

mod client;
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
pub use results::{VeriffWebhookFormat, VeriffWebhooks};
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
        // `lang` is passed through; Veriff publishes no list of codes.
        .with_locales(Locale::iter())
        .with_link_validity(SESSION_LIFETIME..=SESSION_LIFETIME)
        .with_default_link_validity(SESSION_LIFETIME)
        // Code 1500: vendorData longer than 1000 symbols.
        .with_max_chars(Field::ClientId, 1000)
        // Code 1302: only HTTPS return URLs.
        .with_https_only(Field::SuccessUrl);
    Capabilities::new().with_identity(identity)
}
