//! Reading an adapter's configuration from environment variables through a pure function of a
//! key-value list (OpenDAL's `collect_config`), so `from_env()` is a thin wrapper that tests
//! never need.

use std::collections::HashMap;

use kyc_core::Error;

use crate::ErrorExt;

/// The variables an adapter reads, picked out of a key-value list.
///
/// ```
/// use kyc_adapter::config::Vars;
/// let vars = Vars::pick("acme", ["ACME_KEY", "ACME_URL"], [("ACME_KEY", "k"), ("HOME", "/root")]);
/// assert_eq!(vars.required("ACME_KEY")?, "k");
/// assert_eq!(vars.optional("ACME_URL"), None);
/// assert_eq!(
///     vars.required("ACME_URL").unwrap_err().to_string(),
///     "invalid acme configuration: ACME_URL is not set"
/// );
/// # Ok::<(), kyc_core::Error>(())
/// ```
#[derive(Clone)]
pub struct Vars {
    provider: String,
    found: HashMap<String, String>,
}

impl Vars {
    /// The variables named in `names` found in `vars`; `provider` is named in errors.
    pub fn pick(
        provider: &str,
        names: impl IntoIterator<Item = &'static str>,
        vars: impl IntoIterator<Item = (impl AsRef<str>, impl Into<String>)>,
    ) -> Self {
        let names: Vec<&str> = names.into_iter().collect();
        let found = vars
            .into_iter()
            .filter(|(key, _)| names.contains(&key.as_ref()))
            .map(|(key, value)| (key.as_ref().to_owned(), value.into()))
            .collect();
        Self { provider: provider.to_owned(), found }
    }

    /// The value of a variable that must be set and not blank.
    ///
    /// # Errors
    /// [`ErrorKind::Config`](kyc_core::ErrorKind::Config) saying it is not set, or empty.
    pub fn required(&self, name: &str) -> Result<String, Error> {
        match self.found.get(name) {
            Some(value) if !value.trim().is_empty() => Ok(value.clone()),
            Some(_) => Err(Error::config(&self.provider, format!("{name} is empty"))),
            None => Err(Error::config(&self.provider, format!("{name} is not set"))),
        }
    }

    /// The value of an optional variable; blank counts as unset.
    pub fn optional(&self, name: &str) -> Option<String> {
        self.found.get(name).filter(|value| !value.trim().is_empty()).cloned()
    }
}

impl std::fmt::Debug for Vars {
    /// Names the variables found, never their values (they hold credentials).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut names: Vec<&String> = self.found.keys().collect();
        names.sort();
        f.debug_struct("Vars").field("provider", &self.provider).field("found", &names).finish()
    }
}
