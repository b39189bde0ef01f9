//! Vendor-only options, typed by each adapter and carried by the neutral request.
//!
//! A [`SessionRequest`] carries them as JSON under `providerOptions.<provider>` (so a request
//! file can hold them, and a field a vendor adds tomorrow can be sent raw), and each adapter
//! reads them back as its own typed struct. [`SessionRequest::with_options`] writes typed
//! options in the builder chain, merging them key by key with what is there, and
//! [`SessionRequest::validate`] checks them, naming the field, before any provider is called.

use std::fmt;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::{Error, FieldError};
use crate::kit::ErrorExt;
use crate::request::SessionRequest;

/// A provider's typed options: what only that vendor can do.
///
/// Implemented by each adapter's options (`IdenfyOptions`, `VeriffOptions`, iDenfy's
/// `KybOptions`), and by a third party's for its own vendor. Unset fields must be left out
/// when serialized, so merging options key by key keeps what another call set.
///
/// ```
/// use kyc_core::{ClientId, FieldError, ProviderOptions, SessionRequest};
///
/// #[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
/// #[serde(rename_all = "camelCase")]
/// struct AcmeOptions {
///     #[serde(default, skip_serializing_if = "Option::is_none")]
///     max_attempts: Option<u32>,
/// }
///
/// impl ProviderOptions for AcmeOptions {
///     const PATH: &'static [&'static str] = &["acme"];
///     fn rule_violations(&self) -> Vec<FieldError> {
///         match self.max_attempts {
///             Some(0) => vec![FieldError::new("maxAttempts", "must be at least 1")],
///             _ => Vec::new(),
///         }
///     }
/// }
///
/// let request = SessionRequest::new(ClientId::new("user-1")?)
///     .with_options(AcmeOptions { max_attempts: Some(0) });
/// let error = request.validate().unwrap_err();
/// assert_eq!(error.to_string(), "invalid request: providerOptions.acme.maxAttempts: must be at least 1");
/// assert_eq!(request.options::<AcmeOptions>()?.unwrap().max_attempts, Some(0));
/// # Ok::<(), kyc_core::Error>(())
/// ```
pub trait ProviderOptions: Serialize + DeserializeOwned + Default + Clone + 'static {
    /// Where the options travel under `providerOptions`: `["idenfy"]`, or `["idenfy", "kyb"]`
    /// for options nested inside another provider's.
    const PATH: &'static [&'static str];

    /// Keys whose values are nested option objects (iDenfy's `kyb`): merged key by key like the
    /// options themselves, where any other value is replaced whole.
    const NESTED: &'static [&'static str] = &[];

    /// Every rule these options break on their own, each naming its field relative to the
    /// options (`ageLimit`, `kyb.flow`): rules no other option could mend (a value out of range,
    /// two options that exclude each other). Checked by [`SessionRequest::validate`] on a
    /// request's options, and by the provider over its defaults before it sends. A rule another
    /// option could satisfy ("A needs B", where B may come from the provider's defaults) belongs
    /// to the provider's own checks over the merged options, not here.
    fn rule_violations(&self) -> Vec<FieldError> {
        Vec::new()
    }

    /// The keys these options carry that the adapter does not know (its raw catch-all, for a
    /// field the vendor adds tomorrow), relative to the options (`brandNewSwitch`,
    /// `kyb.other`). They are sent as they are; providers log them at `warn` (names only) and
    /// the `kyc` command says so, so a misspelt option is seen rather than silently ignored by
    /// the vendor.
    fn unknown_keys(&self) -> Vec<String> {
        Vec::new()
    }
}

/// The checks of the options set through [`SessionRequest::with_options`], run by
/// [`SessionRequest::validate`]: one per options type, remembered by its path.
#[derive(Clone, Default)]
pub(crate) struct OptionChecks(Vec<(&'static [&'static str], Check)>);

/// One options type's check of a request: every rule its options there break.
type Check = fn(&SessionRequest) -> Vec<FieldError>;

impl OptionChecks {
    /// Remembers `O`'s check, once: options nested in others (iDenfy's `kyb` in its own) are
    /// checked by the outer options' check, so only the outermost is kept.
    pub(crate) fn add<O: ProviderOptions>(&mut self) {
        if self.0.iter().any(|(path, _)| O::PATH.starts_with(path)) {
            return;
        }
        self.0.retain(|(path, _)| !path.starts_with(O::PATH));
        self.0.push((O::PATH, broken_rules::<O>));
    }

    pub(crate) fn run(&self, request: &SessionRequest) -> Vec<FieldError> {
        self.0.iter().flat_map(|(_, check)| check(request)).collect()
    }
}

/// Two requests with the same content are equal whichever way their options were written: a
/// request read from JSON carries no checks (its options are untyped until a provider reads
/// them, in `VerificationSession::preflight` and `create_session`), one built with
/// `with_options` does.
impl PartialEq for OptionChecks {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl fmt::Debug for OptionChecks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.iter().map(|(path, _)| path.join("."))).finish()
    }
}

fn broken_rules<O: ProviderOptions>(request: &SessionRequest) -> Vec<FieldError> {
    match read::<O>(request) {
        Ok(Some(options)) => prefixed::<O>(options.rule_violations()),
        Ok(None) => Vec::new(),
        Err(error) => error.invalid_fields().to_vec(),
    }
}

/// `providerOptions.idenfy`, for `["idenfy"]`.
fn field_of(path: &[&str]) -> String {
    format!("providerOptions.{}", path.join("."))
}

fn prefixed<O: ProviderOptions>(broken: Vec<FieldError>) -> Vec<FieldError> {
    let base = field_of(O::PATH);
    broken.into_iter().map(|e| FieldError::new(format!("{base}.{}", e.field()), e.rule())).collect()
}

/// The JSON object at `path`, when there is a value there.
fn value_at<'a>(request: &'a SessionRequest, path: &[&str]) -> Option<&'a Value> {
    let (first, rest) = path.split_first()?;
    rest.iter().try_fold(request.provider_options.get(*first)?, |value, key| value.get(*key))
}

fn not_an_object(path: &[&str]) -> Error {
    Error::invalid_request(vec![FieldError::new(field_of(path), "must be a JSON object")])
}

/// Merges `over` into `base` key by key: objects under `nested` keys one level deeper, any
/// other value replaced.
fn merge(base: &mut Map<String, Value>, over: &Map<String, Value>, nested: &[&str]) {
    for (key, value) in over {
        match (base.get_mut(key), value) {
            (Some(Value::Object(base)), Value::Object(over)) if nested.contains(&key.as_str()) => {
                base.extend(over.clone());
            }
            _ => {
                base.insert(key.clone(), value.clone());
            }
        }
    }
}

fn to_object<T: Serialize>(value: &T) -> Map<String, Value> {
    // Option structs are plain data (strings, numbers, lists, maps with string keys):
    // serializing them to a JSON object cannot fail.
    match serde_json::to_value(value) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

/// Writes `options` into `request` at `O::PATH`, merged over what is there.
pub(crate) fn write<O: ProviderOptions>(request: &mut SessionRequest, options: &O) {
    let Some((first, rest)) = O::PATH.split_first() else { return };
    let mut slot = request
        .provider_options
        .entry((*first).to_owned())
        .or_insert_with(|| Value::Object(Map::new()));
    for key in rest {
        if !slot.is_object() {
            *slot = Value::Object(Map::new());
        }
        slot = match slot {
            Value::Object(map) => {
                map.entry((*key).to_owned()).or_insert_with(|| Value::Object(Map::new()))
            }
            _ => return,
        };
    }
    match slot {
        Value::Object(existing) => merge(existing, &to_object(options), O::NESTED),
        other => *other = Value::Object(to_object(options)),
    }
}

/// The options `request` carries for `O`, without any provider defaults, unchecked.
pub(crate) fn read<O: ProviderOptions>(request: &SessionRequest) -> Result<Option<O>, Error> {
    match value_at(request, O::PATH) {
        None => Ok(None),
        Some(_) => decode_over(request, &O::default()).map(Some),
    }
}

/// `defaults` overridden key by key by the options `request` carries for `O`, checked.
pub(crate) fn resolve<O: ProviderOptions>(
    request: &SessionRequest,
    defaults: &O,
) -> Result<O, Error> {
    let options = decode_over(request, defaults)?;
    let broken = options.rule_violations();
    match broken.is_empty() {
        true => Ok(options),
        false => Err(Error::invalid_request(prefixed::<O>(broken))),
    }
}

fn decode_over<O: ProviderOptions>(request: &SessionRequest, defaults: &O) -> Result<O, Error> {
    let overrides = match value_at(request, O::PATH) {
        // Untouched: a raw key in the defaults' catch-all stays where it is, to be checked.
        None => return Ok(defaults.clone()),
        Some(Value::Object(overrides)) => overrides.clone(),
        Some(_) => return Err(not_an_object(O::PATH)),
    };
    let field = field_of(O::PATH);
    let base = to_object(defaults);
    let mut merged = base.clone();
    merge(&mut merged, &overrides, O::NESTED);
    serde_json::from_value(Value::Object(merged)).map_err(|whole| {
        // A JSON value carries no positions: find the keys that break, one at a time.
        let broken: Vec<FieldError> = overrides
            .iter()
            .filter_map(|(key, value)| {
                let mut single = base.clone();
                merge(&mut single, &Map::from_iter([(key.clone(), value.clone())]), O::NESTED);
                let error = serde_json::from_value::<O>(Value::Object(single)).err()?;
                Some(FieldError::from_json(&format!("{field}.{key}"), &error))
            })
            .collect();
        match broken.is_empty() {
            true => Error::invalid_request(vec![FieldError::from_json(&field, &whole)]),
            false => Error::invalid_request(broken),
        }
    })
}
