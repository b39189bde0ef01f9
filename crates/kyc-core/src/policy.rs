//! What failover does after an error: the policy, kept apart from the mechanism in
//! [`Failover`](crate::Failover), whose documentation carries the table (tower's `Policy`,
//! object_store's retry rule).
//!
//! Creating a session is not idempotent: the vendors take no idempotency key, and every session
//! they create costs a credit (iDenfy says so on
//! <https://documentation.idenfy.com/kyc/generate-token>). So the rule is object_store's and
//! ActiveMerchant's: **send again only what provably never arrived**, and treat everything
//! ambiguous as possibly having created a session.

use strum::{Display, EnumIter};

use crate::error::{Error, ErrorKind, Outcome};

/// What to do after an attempt failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Display, EnumIter)]
#[strum(serialize_all = "snake_case")]
#[non_exhaustive]
pub(crate) enum Next {
    /// Return the error: the next provider would repeat the mistake, or a session may exist.
    Stop,
    /// Try the same provider again after a backoff: the request provably did not create
    /// anything there (never sent, or refused before processing).
    RetrySame,
    /// Try the next provider.
    MoveOn,
}

/// What to do after an error that leaves it unknown whether a session was created (a timeout
/// after sending, a 500, a connection lost mid-answer).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Display, EnumIter)]
#[strum(serialize_all = "snake_case")]
#[non_exhaustive]
pub enum OnUnknownOutcome {
    /// Serve the person at the next provider, accepting that the first may have created a
    /// session (and spent a credit) too. The attempt says so (`may_have_created_session`).
    #[default]
    MoveOn,
    /// Return the error, so no second session can be created.
    Stop,
}

/// The failover policy as one function of the error: the table on [`Failover`](crate::Failover).
pub(crate) fn next_step(error: &Error, on_unknown: OnUnknownOutcome) -> Next {
    let unknown = match on_unknown {
        OnUnknownOutcome::MoveOn => Next::MoveOn,
        OnUnknownOutcome::Stop => Next::Stop,
    };
    match (error.kind(), error.outcome()) {
        (ErrorKind::InvalidRequest | ErrorKind::InvalidSignature, _) => Next::Stop,
        // A success status means a session exists, however unreadable the answer: another
        // provider would surely spend a second credit.
        (ErrorKind::Decode, _) if error.http_status().is_some_and(|s| (200..300).contains(&s)) => {
            Next::Stop
        }
        (ErrorKind::Rejected, _) if provider_side_rejection(error) => Next::MoveOn,
        (ErrorKind::Rejected, _) => Next::Stop,
        // The request is fine, this account cannot serve it: another provider may.
        (
            ErrorKind::Unsupported
            | ErrorKind::Config
            | ErrorKind::Unauthenticated
            | ErrorKind::Forbidden
            | ErrorKind::OutOfFunds,
            _,
        ) => Next::MoveOn,
        // The state of one session at one provider: nothing another provider would change.
        (ErrorKind::Conflict, _) => Next::Stop,
        (_, Outcome::Unknown) => unknown,
        (ErrorKind::RateLimited | ErrorKind::Unavailable | ErrorKind::Transport, _) => {
            Next::RetrySame
        }
        (ErrorKind::Timeout, Outcome::NotSent) => Next::RetrySame,
        _ => Next::MoveOn,
    }
}

/// Whether an error says something about the provider's health, and so counts toward opening
/// its circuit breaker. Errors about the request itself (invalid, unsupported, refused for its
/// content) do not.
pub(crate) fn counts_against_provider(error: &Error) -> bool {
    match error.kind() {
        ErrorKind::InvalidRequest
        | ErrorKind::Unsupported
        | ErrorKind::InvalidSignature
        | ErrorKind::Conflict => false,
        ErrorKind::Rejected => provider_side_rejection(error),
        _ => true,
    }
}

/// Refusals that are about the provider, not the request: a 404 (a create endpoint that is not
/// there: a wrong base URL or path). A 402 is [`ErrorKind::OutOfFunds`] already.
fn provider_side_rejection(error: &Error) -> bool {
    error.http_status() == Some(404)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capabilities::Feature;
    use crate::error::{Denial, FieldError};
    use crate::kit::ErrorExt;
    use crate::model::VerificationKind;
    use std::time::Duration;

    /// Every row of the table, for both settings of `on_unknown`.
    #[test]
    fn the_policy_table() {
        use Next::{MoveOn, RetrySame, Stop};
        let rows: Vec<(Error, Next, Next, bool)> = vec![
            // (error, with MoveOn, with Stop, counts against the provider)
            (Error::invalid_request(vec![FieldError::new("clientId", "x")]), Stop, Stop, false),
            (Error::rejected("p", 400), Stop, Stop, false),
            (Error::rejected("p", 409), Stop, Stop, false),
            (Error::out_of_funds("p", 402), MoveOn, MoveOn, true),
            (Error::forbidden("p", Denial::AccountInactive, 403), MoveOn, MoveOn, true),
            (Error::forbidden("p", Denial::WrongEnvironment, 403), MoveOn, MoveOn, true),
            (Error::conflict("p", 400, "not yet"), Stop, Stop, false),
            (Error::rejected("p", 404), MoveOn, MoveOn, true),
            (
                Error::unsupported("p", Feature::Kind(VerificationKind::Business)),
                MoveOn,
                MoveOn,
                false,
            ),
            (
                Error::unsupported_by_provider("p", Feature::Kind(VerificationKind::Business), 403),
                MoveOn,
                MoveOn,
                false,
            ),
            (Error::config("p", "x"), MoveOn, MoveOn, true),
            (Error::unauthenticated("p", 401), MoveOn, MoveOn, true),
            (Error::rate_limited("p", Some(Duration::from_secs(1))), RetrySame, RetrySame, true),
            (Error::unavailable("p", 503), RetrySame, RetrySame, true),
            (Error::unavailable("p", 500), MoveOn, Stop, true),
            (Error::unavailable("p", 502), MoveOn, Stop, true),
            (Error::transport("p", false), RetrySame, RetrySame, true),
            (Error::transport("p", true), MoveOn, Stop, true),
            (Error::timeout("p", false), RetrySame, RetrySame, true),
            (Error::timeout("p", true), MoveOn, Stop, true),
            (Error::decode("p", 201, "x"), Stop, Stop, true),
            (Error::decode("p", 400, "x"), MoveOn, MoveOn, true),
        ];
        for (error, move_on, stop, counts) in rows {
            assert_eq!(next_step(&error, OnUnknownOutcome::MoveOn), move_on, "{error:?}");
            assert_eq!(next_step(&error, OnUnknownOutcome::Stop), stop, "{error:?}");
            assert_eq!(counts_against_provider(&error), counts, "{error:?}");
        }
    }
}
