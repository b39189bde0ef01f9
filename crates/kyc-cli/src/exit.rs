//! What went wrong in a command, and the one mapping from it to the exit status, so every
//! command answers a scripting caller the same way:
//!
//! | status | meaning |
//! |---|---|
//! | 0 | created, or done |
//! | 2 | invalid input or unsupported: nothing was sent |
//! | 3 | an authentication or configuration problem (a webhook signature that does not match) |
//! | 4 | every provider failed otherwise |
//! | 5 | the session was created but the email was not sent |

use kyc::{ErrorKind, Outcome};

/// Invalid input or an unsupported request; nothing was sent.
const INVALID: u8 = 2;
/// Credentials, configuration or a webhook signature.
const CONFIG: u8 = 3;
/// Every provider failed otherwise.
const FAILED: u8 = 4;
/// Created, but the link was not emailed.
const NOT_EMAILED: u8 = 5;

/// Why a command did not finish as asked.
#[derive(Debug)]
pub(crate) enum Failure {
    /// What the operator gave (a flag, a file, standard input) is wrong; nothing was sent.
    Input(String),
    /// This machine's configuration is missing or wrong (SMTP, an address to listen on).
    Config(String),
    /// The library refused the request, or the vendors failed it.
    Kyc(kyc::Error),
    /// A webhook given to `webhook verify` did not verify.
    Webhook(kyc::Error),
    /// The session exists, but the email with its link did not go out.
    NotEmailed(String),
    /// Not every vendor created a session; the output already says which and why.
    Incomplete,
}

impl From<kyc::Error> for Failure {
    fn from(error: kyc::Error) -> Self {
        Self::Kyc(error)
    }
}

/// The exit status for `failure`.
pub(crate) fn status(failure: &Failure) -> u8 {
    let error = match failure {
        Failure::Input(_) => return INVALID,
        Failure::Config(_) => return CONFIG,
        Failure::NotEmailed(_) => return NOT_EMAILED,
        Failure::Incomplete => return FAILED,
        Failure::Kyc(error) | Failure::Webhook(error) => error,
    };
    match error.kind() {
        ErrorKind::InvalidRequest => INVALID,
        // Refused before sending; one a vendor answered (KYB not in the contract) was sent.
        ErrorKind::Unsupported if error.outcome() == Outcome::NotSent => INVALID,
        // A signature that does not match means the key is wrong here, or the sender is not
        // the vendor: the same remedy as refused credentials.
        ErrorKind::Unauthenticated | ErrorKind::Config | ErrorKind::InvalidSignature => CONFIG,
        // The webhook's body is the operator's input (a file or standard input), so one that is
        // not the vendor's payload is theirs to fix; nothing was sent anywhere.
        _ if matches!(failure, Failure::Webhook(_)) => INVALID,
        _ => FAILED,
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use kyc_adapter::ErrorExt;

    use super::*;

    fn exit_code(error: kyc::Error) -> u8 {
        status(&Failure::Kyc(error))
    }

    #[test]
    fn exit_codes_follow_the_error_kind() {
        assert_eq!(exit_code(kyc::Error::invalid_request(Vec::new())), 2);
        let kyb = kyc::Feature::Kind(kyc::VerificationKind::Business);
        assert_eq!(exit_code(kyc::Error::unsupported("p", kyb.clone())), 2);
        assert_eq!(exit_code(kyc::Error::unsupported_by_provider("p", kyb, 403)), 4);
        assert_eq!(exit_code(kyc::Error::unauthenticated("p", 401)), 3);
        assert_eq!(exit_code(kyc::Error::config("p", "x")), 3);
        assert_eq!(exit_code(kyc::Error::unavailable("p", 503)), 4);
        // iDenfy's local poll guard: nothing was sent, but it is no mistake of the input.
        assert_eq!(exit_code(kyc::Error::throttled_locally("p", Duration::from_secs(60))), 4);
        assert_eq!(exit_code(kyc::Error::decode("p", 201, "x")), 4);
    }

    #[test]
    fn webhooks_map_as_the_other_commands_with_their_body_as_input() {
        let code = |error: kyc::Error| status(&Failure::Webhook(error));
        assert_eq!(code(kyc::Error::invalid_signature("p")), 3);
        assert_eq!(code(kyc::Error::config("p", "no key")), 3);
        assert_eq!(code(kyc::Error::decode("p", 200, "not the payload")), 2);
    }

    #[test]
    fn the_cli_s_own_failures() {
        assert_eq!(status(&Failure::Input("x".into())), 2);
        assert_eq!(status(&Failure::Config("x".into())), 3);
        assert_eq!(status(&Failure::Incomplete), 4);
        assert_eq!(status(&Failure::NotEmailed("x".into())), 5);
    }
}
