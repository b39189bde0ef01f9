//! What went wrong in a command, and the one mapping from it to the exit status, so every
//! command answers a scripting caller the same way; and each command's list of the statuses it
//! can return, which its `--help` prints ([`help`]), so what is documented is written beside
//! the mapping it documents.
//!
//! | status | meaning |
//! |---|---|
//! | 0 | created, or done (`compare`: at least one vendor created a session) |
//! | 2 | invalid input or unsupported: nothing was sent |
//! | 3 | an authentication or configuration problem (a webhook signature that does not match) |
//! | 4 | every provider failed otherwise (`compare`: no vendor created a session) |
//! | 5 | the session was created but the email was not sent |
//!
//! `kyc session erase` answers in its own terms, for the operator who runs it again later:
//! 2 refused for now (the link has not expired, a deletion quota is used up), 3 not enabled or
//! not authorized, 4 otherwise.

use kyc::{ErrorKind, Outcome};

/// Created, or done.
const OK: u8 = 0;
/// Invalid input or an unsupported request; nothing was sent.
const INVALID: u8 = 2;
/// Credentials, configuration or a webhook signature.
const CONFIG: u8 = 3;
/// Every provider failed otherwise.
const FAILED: u8 = 4;
/// Created, but the link was not emailed.
const NOT_EMAILED: u8 = 5;

/// One status a command can return, and what it means for that command.
pub(crate) type Code = (u8, &'static str);

/// What clap refuses (an unknown flag, a value that does not parse) is an invalid input for
/// every command.
const BAD_FLAGS: &str = "invalid input (a flag, a file, standard input): nothing was sent";

/// `kyc session create`.
pub(crate) const SESSION_CREATE: &[Code] = &[
    (OK, "the session was created; its link is printed"),
    (INVALID, "invalid input, or a request no provider named can serve: nothing was sent"),
    (CONFIG, "authentication or configuration (credentials, SMTP_URL, SMTP_FROM)"),
    (FAILED, "every provider failed otherwise"),
    (NOT_EMAILED, "the session was created but the email was not sent (the link is printed)"),
];

/// `kyc session status`.
pub(crate) const SESSION_STATUS: &[Code] = &[
    (OK, "the vendor answered: its decision, or that there is none yet"),
    (INVALID, BAD_FLAGS),
    (CONFIG, "authentication or configuration (no credentials for the vendor, or refused)"),
    (FAILED, "the vendor failed otherwise (unavailable, unknown session, poll held back)"),
];

/// `kyc session list`.
pub(crate) const SESSION_LIST: &[Code] = &[
    (OK, "the sessions are printed (none is no error)"),
    (INVALID, BAD_FLAGS),
    (CONFIG, "the ledger cannot be opened (KYC_DATABASE_URL, KYC_LEDGER_KEY)"),
    (FAILED, "--refresh: a vendor failed (the sessions it could not refresh keep their status)"),
];

/// `kyc session show`.
pub(crate) const SESSION_SHOW: &[Code] = &[
    (OK, "the session is printed"),
    (INVALID, BAD_FLAGS),
    (CONFIG, "the ledger cannot be opened (KYC_DATABASE_URL, KYC_LEDGER_KEY)"),
    (FAILED, "the ledger has no such session"),
];

/// `kyc session erase`.
pub(crate) const SESSION_ERASE: &[Code] = &[
    (OK, "the vendor erased the session's data"),
    (
        INVALID,
        "refused for now, for a reason that passes (the link has not expired yet, the vendor's \
         deletion quota is used up: run it again later), or invalid input: nothing was erased",
    ),
    (
        CONFIG,
        "not enabled or not authorized (no credentials, refused credentials, erasure not enabled \
         for the account or not offered for this kind of session)",
    ),
    (FAILED, "the vendor failed otherwise (unknown session, unavailable)"),
];

/// `kyc compare`.
pub(crate) const COMPARE: &[Code] = &[
    (OK, "at least one vendor created a session (the table says how each answered)"),
    (INVALID, BAD_FLAGS),
    (CONFIG, "authentication or configuration (credentials)"),
    (FAILED, "no vendor created a session (the table says why)"),
];

/// `kyc providers`.
pub(crate) const PROVIDERS: &[Code] = &[(OK, "the table is printed"), (INVALID, BAD_FLAGS)];

/// `kyc webhook verify`.
pub(crate) const WEBHOOK_VERIFY: &[Code] = &[
    (OK, "the signature matches; the decision, or the vendor's other event, is printed"),
    (INVALID, "invalid input: a header, or a body that is not the vendor's payload"),
    (CONFIG, "the signature does not match, or no webhook key is set"),
];

/// `kyc emulator`.
pub(crate) const EMULATOR: &[Code] = &[
    (OK, "stopped with Ctrl-C"),
    (INVALID, BAD_FLAGS),
    (CONFIG, "the address cannot be listened on"),
];

/// `kyc serve`.
pub(crate) const SERVE: &[Code] = &[
    (OK, "stopped by SIGTERM or Ctrl-C, the requests in flight finished"),
    (INVALID, BAD_FLAGS),
    (
        CONFIG,
        "configuration (the address cannot be listened on, the ledger cannot be opened, \
         credentials), or requests in flight cut off (30 s after the stop signal, or at a \
         second one)",
    ),
];

/// Every command with the statuses it can return, as the README lists them.
const COMMANDS: &[(&str, &[Code])] = &[
    ("session create", SESSION_CREATE),
    ("session status", SESSION_STATUS),
    ("session list", SESSION_LIST),
    ("session show", SESSION_SHOW),
    ("session erase", SESSION_ERASE),
    ("compare", COMPARE),
    ("providers", PROVIDERS),
    ("webhook verify", WEBHOOK_VERIFY),
    ("emulator", EMULATOR),
    ("serve", SERVE),
];

/// The README's table of every command's statuses (a test keeps the two equal).
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn markdown() -> String {
    let mut table = String::from("| command | status | meaning |\n|---|---|---|\n");
    for (command, codes) in COMMANDS {
        for (status, meaning) in *codes {
            table.push_str(&format!("| `kyc {command}` | {status} | {meaning} |\n"));
        }
    }
    table
}

/// The "Exit status" section of a command's `--help`, listing `codes`.
pub(crate) fn help(codes: &[Code]) -> String {
    let mut text = String::from("Exit status:");
    for (status, meaning) in codes {
        text.push_str(&format!("\n  {status}  {meaning}"));
    }
    text
}

/// Why a command did not finish as asked.
#[derive(Debug)]
pub(crate) enum Failure {
    /// What the operator gave (a flag, a file, standard input) is wrong; nothing was sent.
    Input(String),
    /// This machine's configuration is missing or wrong (SMTP, an address to listen on).
    Config(String),
    /// The library refused the request, or the vendors failed it.
    Kyc(kyc::Error),
    /// No credentials are set for the vendor a command must reach itself (`session status`,
    /// which has no emulator of its own to fall back to: the session lives in another one).
    Unconfigured(kyc::Error),
    /// A webhook given to `webhook verify` did not verify.
    Webhook(kyc::Error),
    /// `session erase` did not erase: its own table.
    NotErased(kyc::Error),
    /// The session exists, but the email with its link did not go out.
    NotEmailed(String),
    /// No vendor created a session in `compare`; the table already says why.
    NoneCreated,
    /// What the command was asked about is not in the ledger.
    Missing(String),
    /// `session list --refresh` could not poll every session (each is named on standard
    /// error); the list is printed all the same.
    NotRefreshed,
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
        Failure::Config(_) | Failure::Unconfigured(_) => return CONFIG,
        Failure::NotEmailed(_) => return NOT_EMAILED,
        Failure::NoneCreated | Failure::Missing(_) | Failure::NotRefreshed => return FAILED,
        Failure::NotErased(error) => return erase_status(error),
        Failure::Kyc(error) | Failure::Webhook(error) => error,
    };
    match error.kind() {
        ErrorKind::InvalidRequest => INVALID,
        // Refused before sending; one a vendor answered (KYB not in the contract) was sent.
        ErrorKind::Unsupported if error.outcome() == Outcome::NotSent => INVALID,
        // A signature that does not match means the key is wrong here, or the sender is not
        // the vendor: the same remedy as refused credentials. An account that may not do this
        // (inactive, feature off, keys of another environment) is the operator's to fix too.
        ErrorKind::Unauthenticated
        | ErrorKind::Forbidden
        | ErrorKind::Config
        | ErrorKind::InvalidSignature
            if error.outcome() != Outcome::Unknown =>
        {
            CONFIG
        }
        // The webhook's body is the operator's input (a file or standard input), so one that is
        // not the vendor's payload is theirs to fix; nothing was sent anywhere.
        _ if matches!(failure, Failure::Webhook(_)) => INVALID,
        _ => FAILED,
    }
}

/// [`SESSION_ERASE`]'s reading of an error: what passes with time, what the operator must
/// have enabled or fixed, and the rest.
fn erase_status(error: &kyc::Error) -> u8 {
    match error.kind() {
        ErrorKind::Conflict | ErrorKind::RateLimited | ErrorKind::InvalidRequest => INVALID,
        ErrorKind::Forbidden
        | ErrorKind::Unauthenticated
        | ErrorKind::Config
        | ErrorKind::Unsupported
        | ErrorKind::OutOfFunds => CONFIG,
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
        let inactive = kyc::Error::forbidden("p", kyc::Denial::AccountInactive, 403);
        assert_eq!(exit_code(inactive), 3);
        assert_eq!(exit_code(kyc::Error::out_of_funds("p", 402)), 4);
        // A forged answer: a session may exist, which is no configuration matter.
        assert_eq!(exit_code(kyc::Error::invalid_response_signature("p", 201)), 4);
        assert_eq!(exit_code(kyc::Error::config("p", "x")), 3);
        assert_eq!(exit_code(kyc::Error::unavailable("p", 503)), 4);
        // iDenfy's local poll guard: nothing was sent, but it is no mistake of the input.
        assert_eq!(exit_code(kyc::Error::throttled_locally("p", Duration::from_secs(60))), 4);
        assert_eq!(exit_code(kyc::Error::decode("p", 201, "x")), 4);
    }

    #[test]
    fn erasure_reads_errors_as_the_operator_acts_on_them() {
        use kyc::Denial;
        let code = |error: kyc::Error| status(&Failure::NotErased(error));
        assert_eq!(code(kyc::Error::conflict("idenfy", 400, "link not expired")), 2);
        assert_eq!(code(kyc::Error::rate_limited("veriff", None)), 2);
        assert_eq!(code(kyc::Error::invalid_request(Vec::new())), 2);
        assert_eq!(code(kyc::Error::forbidden("veriff", Denial::FeatureNotEnabled, 403)), 3);
        assert_eq!(code(kyc::Error::unauthenticated("veriff", 401)), 3);
        assert_eq!(code(kyc::Error::config("veriff", "no secret")), 3);
        let kyb = kyc::Feature::Kind(kyc::VerificationKind::Business);
        assert_eq!(code(kyc::Error::unsupported("veriff", kyb)), 3);
        assert_eq!(code(kyc::Error::rejected("veriff", 404)), 4);
        assert_eq!(code(kyc::Error::unavailable("idenfy", 503)), 4);
        assert_eq!(code(kyc::Error::timeout("idenfy", true)), 4);
    }

    #[test]
    fn webhooks_map_as_the_other_commands_with_their_body_as_input() {
        let code = |error: kyc::Error| status(&Failure::Webhook(error));
        assert_eq!(code(kyc::Error::invalid_signature("p")), 3);
        assert_eq!(code(kyc::Error::config("p", "no key")), 3);
        assert_eq!(code(kyc::Error::decode("p", 200, "not the payload")), 2);
    }

    #[test]
    fn every_command_s_help_lists_its_statuses_in_order() {
        let known = [OK, INVALID, CONFIG, FAILED, NOT_EMAILED];
        for codes in [
            SESSION_CREATE,
            SESSION_STATUS,
            SESSION_LIST,
            SESSION_SHOW,
            SESSION_ERASE,
            COMPARE,
            PROVIDERS,
            WEBHOOK_VERIFY,
            EMULATOR,
        ] {
            let statuses: Vec<u8> = codes.iter().map(|(status, _)| *status).collect();
            assert!(statuses.windows(2).all(|pair| pair[0] < pair[1]), "{statuses:?}");
            assert!(statuses.iter().all(|status| known.contains(status)), "{statuses:?}");
            // clap refuses a bad flag with 2 whatever the command.
            assert_eq!(statuses[..2], [OK, INVALID]);
        }
        assert_eq!(
            help(PROVIDERS),
            "Exit status:\n  0  the table is printed\n  2  invalid input (a flag, a file, standard \
             input): nothing was sent"
        );
    }

    #[test]
    fn the_readme_lists_every_command_s_statuses() {
        let readme = include_str!("../../../README.md");
        let table = markdown();
        assert!(readme.contains(&table), "README.md's exit-status table differs:\n{table}");
    }

    #[test]
    fn the_cli_s_own_failures() {
        assert_eq!(status(&Failure::Input("x".into())), 2);
        assert_eq!(status(&Failure::Config("x".into())), 3);
        assert_eq!(status(&Failure::NoneCreated), 4);
        assert_eq!(status(&Failure::Unconfigured(kyc::Error::config("p", "x"))), 3);
        assert_eq!(status(&Failure::NotEmailed("x".into())), 5);
    }
}
