//! The vendor registry: everything the commands need to know about a vendor, in one entry
//! each, so adding a vendor is one entry in [`VENDORS`] plus its adapter crate. The commands
//! only ever iterate over the registry or use the entry the operator named.

use std::fmt;
use std::sync::Arc;

use clap::builder::{PossibleValuesParser, TypedValueParser};
use kyc::{
    Capabilities, Failover, FailoverPolicy, ProviderOptions, SessionErasure, SessionRequest,
    VerificationResults, VerificationSession, WebhookVerifier,
};
use kyc_emulator::{Emulator, EmulatorBuilder, RunningEmulator};

use crate::exit::Failure;
use crate::output;

/// Configuration variables, as the adapters' `from_vars` read them.
pub(crate) type Vars = Vec<(String, String)>;

/// One vendor the command line can use.
pub(crate) struct Vendor {
    /// Its name on the command line (`--provider idenfy`) and in output.
    pub(crate) name: &'static str,
    /// Its name in the capability table.
    pub(crate) display_name: &'static str,
    /// The variable whose presence means credentials are configured for it: with none set for
    /// any vendor, the commands fall back to the built-in emulator.
    pub(crate) credential_var: &'static str,
    /// The variable naming its API's base URL: with the credential, what tells one vendor
    /// account from another in the ledger.
    pub(crate) base_url_var: &'static str,
    /// What it can honour, as its adapter declares it.
    pub(crate) capabilities: fn() -> Capabilities,
    /// Its session client from configuration variables: the process environment's, or the
    /// running emulator's ([`RunningEmulator::vars`], the same names).
    pub(crate) session: fn(Vars) -> Result<Arc<dyn VerificationSession>, kyc::Error>,
    /// Its webhook verifier from configuration variables (the webhook secret alone).
    pub(crate) webhooks: fn(Vars) -> Result<Box<dyn WebhookVerifier>, kyc::Error>,
    /// Its results (polling) client from configuration variables.
    pub(crate) results: fn(Vars) -> Result<Box<dyn VerificationResults>, kyc::Error>,
    /// Its erasure client from configuration variables.
    pub(crate) erasure: fn(Vars) -> Result<Box<dyn SessionErasure>, kyc::Error>,
    /// The fields of its options in a request that its adapter does not know
    /// (`providerOptions.idenfy.brandNewSwitch`): sent as they are, so the operator is told, in
    /// case one is a misspelling the vendor would silently ignore.
    pub(crate) unknown_options: fn(&SessionRequest) -> Vec<String>,
}

/// Every vendor, in the order they are tried, compared and shown.
pub(crate) static VENDORS: &[Vendor] = &[
    Vendor {
        name: kyc::idenfy::PROVIDER,
        display_name: "iDenfy",
        credential_var: "IDENFY_API_KEY",
        base_url_var: "IDENFY_BASE_URL",
        capabilities: kyc::idenfy::capabilities,
        session: |vars| Ok(Arc::new(kyc::IdenfyBuilder::from_vars(vars)?.build()?)),
        webhooks: |vars| Ok(Box::new(kyc::IdenfyWebhooks::from_vars(vars)?)),
        results: |vars| Ok(Box::new(kyc::IdenfyBuilder::from_vars(vars)?.build()?)),
        erasure: |vars| Ok(Box::new(kyc::IdenfyBuilder::from_vars(vars)?.build()?)),
        // Its KYB options are nested inside these, and named by them (`kyb.other`).
        unknown_options: unknown_fields::<kyc::IdenfyOptions>,
    },
    Vendor {
        name: kyc::veriff::PROVIDER,
        display_name: "Veriff",
        credential_var: "VERIFF_API_KEY",
        base_url_var: "VERIFF_BASE_URL",
        capabilities: kyc::veriff::capabilities,
        session: |vars| Ok(Arc::new(kyc::VeriffBuilder::from_vars(vars)?.build()?)),
        webhooks: |vars| Ok(Box::new(kyc::VeriffWebhooks::from_vars(vars)?)),
        results: |vars| Ok(Box::new(kyc::VeriffBuilder::from_vars(vars)?.build()?)),
        erasure: |vars| Ok(Box::new(kyc::VeriffBuilder::from_vars(vars)?.build()?)),
        unknown_options: unknown_fields::<kyc::VeriffOptions>,
    },
    Vendor {
        name: kyc::sumsub::PROVIDER,
        display_name: "Sumsub",
        credential_var: "SUMSUB_APP_TOKEN",
        base_url_var: "SUMSUB_BASE_URL",
        // What Sumsub offers once a company level is configured (SUMSUB_KYB_LEVEL_NAME): without
        // one, its client refuses business sessions before sending.
        capabilities: kyc::sumsub::capabilities_with_kyb,
        session: |vars| Ok(Arc::new(kyc::SumsubBuilder::from_vars(vars)?.build()?)),
        webhooks: |vars| Ok(Box::new(kyc::SumsubWebhooks::from_vars(vars)?)),
        results: |vars| Ok(Box::new(kyc::SumsubBuilder::from_vars(vars)?.build()?)),
        // Sumsub's API erases nothing: its client refuses, saying so, before sending.
        erasure: |vars| Ok(Box::new(kyc::SumsubBuilder::from_vars(vars)?.build()?)),
        unknown_options: unknown_fields::<kyc::SumsubOptions>,
    },
    Vendor {
        name: kyc::onfido::PROVIDER,
        display_name: "Onfido",
        credential_var: "ONFIDO_API_TOKEN",
        base_url_var: "ONFIDO_BASE_URL",
        capabilities: kyc::onfido::capabilities,
        session: |vars| Ok(Arc::new(kyc::OnfidoBuilder::from_vars(vars)?.build()?)),
        webhooks: |vars| Ok(Box::new(kyc::OnfidoWebhooks::from_vars(vars)?)),
        results: |vars| Ok(Box::new(kyc::OnfidoBuilder::from_vars(vars)?.build()?)),
        erasure: |vars| Ok(Box::new(kyc::OnfidoBuilder::from_vars(vars)?.build()?)),
        unknown_options: unknown_fields::<kyc::OnfidoOptions>,
    },
];

/// What names the accounts of `vendors` for the ledger: each vendor's name, base URL and
/// credential from the environment (hashed by the ledger with its key, never stored or printed).
pub(crate) fn account(vendors: &[&Vendor]) -> String {
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    vendors
        .iter()
        .map(|v| format!("{}={};{}", v.name, var(v.base_url_var), var(v.credential_var)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// One provider over `clients`: the only one, or a failover chain in their order.
pub(crate) fn provider_over(
    clients: &[Arc<dyn VerificationSession>],
) -> Arc<dyn VerificationSession> {
    match clients {
        [only] => Arc::clone(only),
        all => Arc::new(Failover::new(all.to_vec()).with_policy(FailoverPolicy::default())),
    }
}

/// The fields of `O`'s options in `request` its adapter does not know, named from
/// `providerOptions` (never with their values, which may be personal data).
fn unknown_fields<O: ProviderOptions>(request: &SessionRequest) -> Vec<String> {
    // Options that do not decode have no keys to name: the adapter refuses them, naming the
    // field, before anything is sent.
    let Ok(Some(options)) = request.options::<O>() else { return Vec::new() };
    let base = O::PATH.join(".");
    // Escaped: a key comes from a file or standard input, and goes to a terminal.
    let printable = |key: String| key.escape_debug().to_string();
    options
        .unknown_keys()
        .into_iter()
        .map(|key| format!("providerOptions.{base}.{}", printable(key)))
        .collect()
}

impl Vendor {
    /// Whether its credentials are in the environment. Only presence is read here: the
    /// adapter reads the values (and says what is wrong with them).
    pub(crate) fn configured(&self) -> bool {
        std::env::var(self.credential_var).is_ok_and(|value| !value.trim().is_empty())
    }

    fn session_from_env(&self) -> Result<Arc<dyn VerificationSession>, kyc::Error> {
        (self.session)(std::env::vars().collect())
    }

    /// Its webhook verifier from the process environment.
    pub(crate) fn webhooks_from_env(&self) -> Result<Box<dyn WebhookVerifier>, kyc::Error> {
        (self.webhooks)(std::env::vars().collect())
    }

    /// Its results client from the process environment.
    pub(crate) fn results_from_env(&self) -> Result<Box<dyn VerificationResults>, kyc::Error> {
        (self.results)(std::env::vars().collect())
    }

    /// Its erasure client from the process environment.
    pub(crate) fn erasure_from_env(&self) -> Result<Box<dyn SessionErasure>, kyc::Error> {
        (self.erasure)(std::env::vars().collect())
    }
}

impl fmt::Debug for Vendor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Vendor").field("name", &self.name).finish_non_exhaustive()
    }
}

/// Parses `--provider`: one of the registry's names.
pub(crate) fn parser() -> impl TypedValueParser<Value = &'static Vendor> {
    PossibleValuesParser::new(VENDORS.iter().map(|vendor| vendor.name)).try_map(|name| {
        VENDORS.iter().find(|vendor| vendor.name == name).ok_or("not a known vendor")
    })
}

/// The session clients a command uses, and the emulator behind them when no vendor has
/// credentials.
#[derive(Debug)]
pub(crate) struct Sessions {
    /// The vendors in use, in the order named, or the registry's.
    pub(crate) vendors: Vec<&'static Vendor>,
    /// Their clients, in the same order.
    pub(crate) clients: Vec<Arc<dyn VerificationSession>>,
    /// Kept alive while the command runs.
    _emulator: Option<RunningEmulator>,
}

/// The vendors to use: those `named`, or else those with credentials, or else every vendor on
/// the built-in emulator (so the commands work out of the box).
pub(crate) async fn sessions(named: &[&'static Vendor]) -> Result<Sessions, Failure> {
    let sessions = sessions_on(named, Emulator::builder()).await?;
    if let Some(address) = sessions.emulator_address() {
        output::using_the_emulator(address);
    }
    Ok(sessions)
}

/// [`sessions`], with the emulator (when no vendor has credentials) started from `emulator`,
/// and nothing said about it.
pub(crate) async fn sessions_on(
    named: &[&'static Vendor],
    emulator: EmulatorBuilder,
) -> Result<Sessions, Failure> {
    let configured: Vec<&'static Vendor> = VENDORS.iter().filter(|v| v.configured()).collect();
    let chosen: Vec<&'static Vendor> = match (named.is_empty(), configured.is_empty()) {
        (false, _) => named.to_vec(),
        (true, false) => configured.clone(),
        (true, true) => VENDORS.iter().collect(),
    };
    // Credentials for any vendor mean a real setup: a named vendor without them is a
    // configuration mistake to report, not a reason to fall back to the emulator.
    if !configured.is_empty() {
        let clients = chosen.iter().map(|v| v.session_from_env()).collect::<Result<_, _>>()?;
        return Ok(Sessions { vendors: chosen, clients, _emulator: None });
    }
    let emulator = emulator.start().await.map_err(|_| {
        Failure::Config("invalid emulator configuration: cannot listen on 127.0.0.1".into())
    })?;
    let mut sessions = Sessions { vendors: chosen, clients: Vec::new(), _emulator: Some(emulator) };
    let vars = sessions.vars();
    sessions.clients =
        sessions.vendors.iter().map(|v| (v.session)(vars.clone())).collect::<Result<_, _>>()?;
    Ok(sessions)
}

impl Sessions {
    /// Whether the clients talk to the built-in emulator, whose sessions die with the command.
    pub(crate) fn on_emulator(&self) -> bool {
        self._emulator.is_some()
    }

    /// Where the built-in emulator listens, when the clients talk to it.
    pub(crate) fn emulator_address(&self) -> Option<std::net::SocketAddr> {
        self._emulator.as_ref().map(RunningEmulator::address)
    }

    /// The configuration variables the clients were made from: the emulator's, or the process
    /// environment's.
    pub(crate) fn vars(&self) -> Vars {
        match &self._emulator {
            Some(emulator) => {
                emulator.vars().into_iter().map(|(name, value)| (name.to_owned(), value)).collect()
            }
            None => std::env::vars().collect(),
        }
    }

    /// What names the vendor accounts in use, for the ledger: each vendor's name, base URL and
    /// credential (hashed by the ledger with its key, never stored or printed).
    pub(crate) fn account(&self) -> String {
        account(&self.vendors)
    }

    /// The option fields in `request` that the adapters in use do not know; another vendor's
    /// options are not sent, so they are not named.
    pub(crate) fn unknown_options(&self, request: &SessionRequest) -> Vec<String> {
        self.vendors.iter().flat_map(|vendor| (vendor.unknown_options)(request)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_lowercase() {
        let mut names: Vec<&str> = VENDORS.iter().map(|v| v.name).collect();
        assert!(names.iter().all(|n| n.chars().all(|c| c.is_ascii_lowercase())));
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), VENDORS.len());
    }

    #[test]
    fn each_vendor_names_the_option_keys_its_adapter_does_not_know() {
        let request = SessionRequest::from_json(
            r#"{"clientId": "u1", "providerOptions": {
                "idenfy": {"checkAml": true, "brandNewSwitch": "secret-value", "kyb": {"other": 1}},
                "veriff": {"endUserId": "fa820aba-019f-455a-ae81-cfca8075bc3f", "newThing": 2}
            }}"#,
        )
        .unwrap();
        let unknown = |name: &str| {
            let vendor = VENDORS.iter().find(|vendor| vendor.name == name).unwrap();
            (vendor.unknown_options)(&request)
        };
        assert_eq!(
            unknown("idenfy"),
            ["providerOptions.idenfy.brandNewSwitch", "providerOptions.idenfy.kyb.other"]
        );
        assert_eq!(unknown("veriff"), ["providerOptions.veriff.newThing"]);
        let plain = SessionRequest::from_json(r#"{"clientId": "u1"}"#).unwrap();
        assert!(VENDORS.iter().all(|vendor| (vendor.unknown_options)(&plain).is_empty()));
        // Options that do not decode are the adapter's to refuse; there is no key to name.
        let broken =
            SessionRequest::from_json(r#"{"clientId": "u1", "providerOptions": {"veriff": 7}}"#)
                .unwrap();
        assert!(VENDORS.iter().all(|vendor| (vendor.unknown_options)(&broken).is_empty()));
    }

    #[tokio::test]
    async fn every_vendor_runs_on_the_emulator() {
        let emulator = Emulator::builder().start().await.unwrap();
        for vendor in VENDORS {
            let vars = emulator.vars().into_iter().map(|(name, value)| (name.to_owned(), value));
            let client = (vendor.session)(vars.collect()).unwrap();
            assert_eq!(client.provider(), vendor.name);
            assert_eq!(client.capabilities(), &(vendor.capabilities)());
        }
    }
}
