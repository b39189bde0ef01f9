//! What can go wrong driving the emulator from code, and how that becomes the library's error,
//! so a test returning `Result<(), kyc::Error>` uses `?` on the emulator's calls too.

use std::error::Error as StdError;
use std::fmt;

use kyc_adapter::ErrorExt;

use crate::decide::Choice;
use crate::store::Vendor;

/// Why the emulator refused, or failed, what it was asked from code
/// ([`RunningEmulator::decide`](crate::RunningEmulator::decide), starting).
///
/// It converts into [`kyc_core::Error`] (kind `Config`, provider `"emulator"`, this error as its
/// `source()`), so `?` works in a test that returns the library's error:
///
/// ```
/// # #[tokio::main]
/// # async fn main() {
/// use kyc_emulator::{Choice, Emulator, EmulatorError, Vendor};
///
/// async fn decide_unknown() -> Result<(), kyc_core::Error> {
///     let emulator = Emulator::builder().start().await.map_err(EmulatorError::from)?;
///     emulator.decide(Vendor::Veriff, "no-such-session", Choice::Approve).await?;
///     Ok(())
/// }
///
/// let error = decide_unknown().await.unwrap_err();
/// assert_eq!(error.kind(), kyc_core::ErrorKind::Config);
/// let cause = std::error::Error::source(&error).unwrap();
/// assert!(matches!(
///     cause.downcast_ref::<EmulatorError>(),
///     Some(EmulatorError::UnknownSession { vendor: Vendor::Veriff, .. })
/// ));
/// # }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum EmulatorError {
    /// No session of `vendor` has this id: never created here, created at another vendor, a
    /// deactivated Sumsub applicant, an Onfido workflow run whose applicant was deleted, or
    /// forgotten beyond [`EmulatorBuilder::with_retained_sessions`](crate::EmulatorBuilder::with_retained_sessions).
    UnknownSession {
        /// The vendor asked.
        vendor: Vendor,
        /// The id asked for (iDenfy `scanRef` or KYB `companyId`, Veriff verification id,
        /// Sumsub `userId`/`externalUserId` or `applicantId`, Onfido workflow run id).
        session_id: String,
    },
    /// `vendor` has no such outcome ([`Choice::offered_by`] lists the ones it has): an outcome
    /// of the other vendor is refused, not mapped to a near one.
    NotOffered {
        /// The vendor asked.
        vendor: Vendor,
        /// The outcome it does not have.
        choice: Choice,
    },
    /// An iDenfy business (KYB) session has no such outcome
    /// ([`Choice::offered_for_business`] lists the ones it has): a company review approves or
    /// denies, it does not suspect (the hosted page answers 400).
    NotOfferedForBusiness {
        /// The outcome it does not have.
        choice: Choice,
    },
    /// The session has no final decision yet, and what was asked needs one
    /// ([`RunningEmulator::notify_document_expiration`](crate::RunningEmulator::notify_document_expiration)).
    NotDecided {
        /// The session's vendor.
        vendor: Vendor,
        /// The session.
        session_id: String,
    },
    /// The session is decided and a decision stands, or is under way (a review pending); the
    /// hosted page answers 409. Only a
    /// Veriff resubmission request (a Sumsub RETRY) may be followed by another decision, and even it is not
    /// followed by the link running out ([`Choice::Expire`], [`Choice::Abandon`]).
    AlreadyDecided {
        /// The session's vendor.
        vendor: Vendor,
        /// The session.
        session_id: String,
    },
    /// The session's link ran out undecided (the hosted page answers 410).
    Expired {
        /// The session's vendor.
        vendor: Vendor,
        /// The session.
        session_id: String,
    },
    /// [`Choice::Expire`] asked of a Veriff session whose page was opened: Veriff reports a
    /// started session that runs out as `abandoned`, not `expired` (both code 9104,
    /// <https://devdocs.veriff.com/docs/verification-session-status-codes-table>); ask
    /// [`Choice::Abandon`].
    AlreadyOpened {
        /// The session's vendor.
        vendor: Vendor,
        /// The session.
        session_id: String,
    },
    /// The emulator could not start: its address could not be bound, or its webhook client
    /// could not be built.
    Start(std::io::Error),
    /// The decision was made, and stands, but one of its webhooks did not reach the receiver.
    WebhookDelivery {
        /// The vendor whose webhook it was.
        vendor: Vendor,
        /// Where it was sent, without any credentials the URL carried.
        url: String,
        /// The receiver's HTTP status when it answered other than 2xx; `None` when it did not
        /// answer (the cause is then in `source()`).
        status: Option<u16>,
        /// Why the request failed when it got no answer.
        cause: Option<Box<dyn StdError + Send + Sync>>,
    },
}

impl EmulatorError {
    pub(crate) fn webhook(
        vendor: Vendor,
        url: &str,
        status: Option<u16>,
        cause: Option<reqwest::Error>,
    ) -> Self {
        Self::WebhookDelivery {
            vendor,
            url: without_credentials(url),
            status,
            cause: cause.map(|error| Box::new(error) as Box<dyn StdError + Send + Sync>),
        }
    }
}

/// `url` without user name and password, so neither `Display` nor `Debug` prints them.
fn without_credentials(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut parsed) => {
            // Only fails for URLs that cannot have credentials, which then have none.
            let _ = parsed.set_username("");
            let _ = parsed.set_password(None);
            parsed.into()
        }
        Err(_) => "(not a URL)".to_owned(),
    }
}

impl fmt::Display for EmulatorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownSession { vendor, session_id } => {
                write!(f, "the emulator has no {} session {session_id:?}", vendor.label())
            }
            Self::NotOffered { vendor, choice } => {
                let offered: Vec<&str> =
                    Choice::offered_by(*vendor).iter().map(|c| c.name()).collect();
                write!(
                    f,
                    "{} has no outcome `{}` (it has {})",
                    vendor.label(),
                    choice.name(),
                    offered.join(", ")
                )
            }
            Self::NotOfferedForBusiness { choice } => {
                let offered: Vec<&str> =
                    Choice::offered_for_business().iter().map(|c| c.name()).collect();
                write!(
                    f,
                    "an iDenfy business (KYB) session has no outcome `{}` (it has {})",
                    choice.name(),
                    offered.join(", ")
                )
            }
            Self::NotDecided { vendor, session_id } => {
                write!(f, "the {} session {session_id:?} is not decided yet", vendor.label())
            }
            Self::AlreadyDecided { vendor, session_id } => {
                write!(f, "the {} session {session_id:?} is already decided", vendor.label())
            }
            Self::Expired { vendor, session_id } => {
                write!(f, "the {} session {session_id:?} has expired", vendor.label())
            }
            Self::AlreadyOpened { vendor, session_id } => write!(
                f,
                "the {} session {session_id:?} was opened: running out, it is abandoned, not expired",
                vendor.label()
            ),
            // The cause is the source: not repeated here, so a reporter walking the chain
            // prints it once.
            Self::Start(_) => f.write_str("the emulator could not start"),
            Self::WebhookDelivery { vendor, url, status: Some(status), .. } => {
                write!(f, "the {} webhook to {url} was answered with HTTP {status}", vendor.label())
            }
            Self::WebhookDelivery { vendor, url, status: None, .. } => {
                write!(f, "the {} webhook to {url} could not be delivered", vendor.label())
            }
        }
    }
}

impl StdError for EmulatorError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            Self::Start(error) => Some(error),
            Self::WebhookDelivery { cause: Some(cause), .. } => Some(cause.as_ref()),
            _ => None,
        }
    }
}

/// [`EmulatorBuilder::start`](crate::EmulatorBuilder::start) answers `std::io::Result`; this
/// brings its error into the emulator's, and from there into the library's.
impl From<std::io::Error> for EmulatorError {
    fn from(error: std::io::Error) -> Self {
        Self::Start(error)
    }
}

/// The emulator stands in for a vendor's configuration in a test: a refusal means the test
/// asked for something its emulator cannot do, so `Config`, which says nothing was sent to a
/// provider. The emulator's error is the `source()`, for matching on its variant.
impl From<EmulatorError> for kyc_core::Error {
    fn from(error: EmulatorError) -> Self {
        let detail = match &error {
            EmulatorError::Start(_) => "it could not start",
            EmulatorError::WebhookDelivery { .. } => "a webhook was not delivered",
            _ => "a session could not be decided as asked",
        };
        kyc_core::Error::config("emulator", detail).with_source(error)
    }
}
