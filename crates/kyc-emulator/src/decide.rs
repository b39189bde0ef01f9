//! What a person does with a session, in one place: the hosted page's form
//! (`POST /{vendor}/decide`) and [`RunningEmulator::decide`](crate::RunningEmulator::decide)
//! both call [`act`], so deciding from code is deciding on the page.

use chrono::Utc;

use crate::App;
use crate::error::EmulatorError;
use crate::faults::lock;
use crate::store::{Vendor, Verdict};
use crate::webhooks::{self, Delivery, Happened};

/// What the person does with a session: each vendor's outcomes, in its own words
/// (iDenfy: <https://documentation.idenfy.com/kyc/webhooks>; Veriff:
/// <https://devdocs.veriff.com/docs/verification-session-status-codes-table>).
/// [`Choice::offered_by`] lists a vendor's; asking a vendor for another's is an error.
///
/// The first four are the hosted page's buttons. [`Expire`](Self::Expire) and
/// [`Abandon`](Self::Abandon) are what happens when the person never comes back: the link runs
/// out now instead of at its expiry, as it would have then.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Choice {
    /// iDenfy `APPROVED`, Veriff `approved` (9001).
    Approve,
    /// iDenfy `DENIED`, Veriff `declined` (9102).
    Decline,
    /// iDenfy only: `SUSPECTED`, the checks passed with warnings.
    Suspect,
    /// Veriff only: `resubmission_requested` (9103); the person may then decide again on the
    /// same link.
    Resubmit,
    /// The person never uses the link and it runs out: iDenfy `EXPIRED`, Veriff `expired`
    /// (9104). Not for a decided session; for Veriff, not for an opened one either (that one is
    /// [`Abandon`](Self::Abandon)).
    Expire,
    /// Veriff only: the person opens the link (Veriff's `started`, if the page was not opened
    /// yet) and leaves, and it runs out: `abandoned` (9104). iDenfy has no such word: its
    /// unfinished sessions end `EXPIRED`.
    Abandon,
}

impl Choice {
    /// The outcomes `vendor` has, in the order its hosted page shows them, then running out.
    pub fn offered_by(vendor: Vendor) -> &'static [Choice] {
        match vendor {
            Vendor::Idenfy => &[Self::Approve, Self::Decline, Self::Suspect, Self::Expire],
            Vendor::Veriff => {
                &[Self::Approve, Self::Decline, Self::Resubmit, Self::Expire, Self::Abandon]
            }
        }
    }

    /// Whether `vendor` has this outcome.
    pub fn is_offered_by(self, vendor: Vendor) -> bool {
        Self::offered_by(vendor).contains(&self)
    }

    /// Its name: for the page's buttons, the `choice` their form posts (`approve`, `decline`,
    /// `suspect`, `resubmit`); then `expire`, `abandon`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Approve => "approve",
            Self::Decline => "decline",
            Self::Suspect => "suspect",
            Self::Resubmit => "resubmit",
            Self::Expire => "expire",
            Self::Abandon => "abandon",
        }
    }

    /// A button of the page's form. Running out is no button: a person does not click it.
    pub(crate) fn from_form(value: &str) -> Option<Self> {
        [Self::Approve, Self::Decline, Self::Suspect, Self::Resubmit]
            .into_iter()
            .find(|choice| choice.name() == value)
    }
}

/// What acting changed, for the caller to finish: the webhooks to send, and whether the
/// session is a business one (its page lives elsewhere).
#[derive(Debug)]
pub(crate) struct Acted {
    pub(crate) deliveries: Vec<Delivery>,
    pub(crate) business: bool,
}

/// `choice` on `vendor`'s session `session_id`: checks it may be made, records it, and builds
/// the webhooks it causes. The caller sends them: the page in the background, code awaiting
/// them.
pub(crate) fn act(
    app: &App,
    vendor: Vendor,
    session_id: &str,
    choice: Choice,
) -> Result<Acted, EmulatorError> {
    if !choice.is_offered_by(vendor) {
        return Err(EmulatorError::NotOffered { vendor, choice });
    }
    let now = Utc::now();
    let mut store = lock(&app.store);
    let Some(record) = store.by_id_mut(session_id).filter(|r| r.vendor == vendor) else {
        return Err(EmulatorError::UnknownSession { vendor, session_id: session_id.to_owned() });
    };
    let session_id = || session_id.to_owned();
    if record.expired(now) {
        return Err(EmulatorError::Expired { vendor, session_id: session_id() });
    }
    let verdict = match choice {
        Choice::Approve => Some(Verdict::Approve),
        Choice::Decline => Some(Verdict::Decline),
        Choice::Suspect => Some(Verdict::Suspect),
        Choice::Resubmit => Some(Verdict::Resubmit),
        Choice::Expire | Choice::Abandon => None,
    };
    // A final decision stands; Veriff's resubmission lets the person decide again. Running
    // out is for undecided sessions only: the emulator's expiry applies to those alone.
    let stands = match record.decision {
        Some((Verdict::Resubmit, _)) => verdict.is_none(),
        Some(_) => true,
        None => false,
    };
    if stands {
        return Err(EmulatorError::AlreadyDecided { vendor, session_id: session_id() });
    }
    let mut deliveries = Vec::new();
    match verdict {
        Some(verdict) => {
            record.opened = true;
            record.decision = Some((verdict, now));
            deliveries.extend(webhooks::deliveries(app, record, Happened::Decided));
        }
        None => {
            if choice == Choice::Expire && vendor == Vendor::Veriff && record.opened {
                return Err(EmulatorError::AlreadyOpened { vendor, session_id: session_id() });
            }
            if choice == Choice::Abandon && !record.opened {
                record.opened = true;
                deliveries.extend(webhooks::deliveries(app, record, Happened::Opened));
            }
            // The link runs out now: the status, the decision and the page then say so, as
            // they would at its expiry.
            record.expires = now;
            deliveries.extend(webhooks::deliveries(app, record, Happened::Expired));
        }
    }
    Ok(Acted { deliveries, business: record.business })
}
