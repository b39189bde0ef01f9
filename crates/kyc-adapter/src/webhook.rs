//! Verifying a vendor's signed webhooks: the shared preamble every adapter's verifier runs
//! before parsing anything (a size cap, then a hex HMAC of the raw body against every configured
//! key, in constant time: SHA-256, or the [`HmacAlgorithm`] a vendor names), and the verifier
//! itself, [`Webhooks`], which an adapter gives its vendor's [`WebhookFormat`].

use std::fmt;
use std::marker::PhantomData;

use http::HeaderMap;
use kyc_core::{Error, WebhookEvent, WebhookVerifier};
use secrecy::{ExposeSecret, SecretString};

use crate::ErrorExt;
use crate::config::Vars;

/// What tells one vendor's webhooks apart: where the signature travels, which variable holds
/// the keys, and how a verified body becomes a [`WebhookEvent`]: a decision, or a notice of
/// any other signed event (never an error for a body that is the vendor's JSON).
pub trait WebhookFormat: Send + Sync + 'static {
    /// The provider's default name.
    const PROVIDER: &'static str;
    /// The header carrying the hex HMAC of the raw body.
    const SIGNATURE_HEADER: &'static str;
    /// The environment variable holding the signing keys (several, comma-separated).
    const KEYS_VAR: &'static str;
    /// The header naming the HMAC's algorithm, for a vendor whose webhooks name it (Sumsub's
    /// `x-payload-digest-alg`); without one, every delivery is checked under the verifier's
    /// default, SHA-256.
    const ALGORITHM_HEADER: Option<&'static str> = None;
    /// The vendor's words for the algorithms that header names (`HMAC_SHA512_HEX`), matched
    /// without regard to case; a word not in the list is refused.
    const ALGORITHMS: &'static [(&'static str, HmacAlgorithm)] = &[];

    /// Normalizes a verified delivery, for the provider named `provider`.
    ///
    /// # Errors
    /// `Decode` for a body that is not the vendor's payload.
    fn event(provider: &str, headers: &HeaderMap, body: &[u8]) -> Result<WebhookEvent, Error>;
}

/// A vendor's webhook verifier, built from the signing key(s) alone: an endpoint that only
/// receives results needs no API credentials. An adapter names it for its vendor
/// (`pub type AcmeWebhooks = Webhooks<AcmeFormat>;`); its full client hands out the same.
///
/// Every key added is accepted, so keys can be rotated; `Debug` prints how many there are.
pub struct Webhooks<F> {
    keys: WebhookKeys,
    default_algorithm: HmacAlgorithm,
    allow_sha1: bool,
    format: PhantomData<fn() -> F>,
}

impl<F: WebhookFormat> Webhooks<F> {
    /// A verifier accepting webhooks signed with `key`.
    pub fn new(key: impl Into<SecretString>) -> Self {
        Self::from_keys(WebhookKeys::new(F::PROVIDER).with_key(key))
    }

    /// A verifier over `keys` (as an adapter's builder collected them).
    pub fn from_keys(keys: WebhookKeys) -> Self {
        Self {
            keys,
            default_algorithm: HmacAlgorithm::Sha256,
            allow_sha1: false,
            format: PhantomData,
        }
    }

    /// Also accepts webhooks signed with `key`.
    pub fn with_key(mut self, key: impl Into<SecretString>) -> Self {
        self.keys = self.keys.with_key(key);
        self
    }

    /// Names the provider in decisions and errors, as the client's `with_name` does.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.keys = self.keys.renamed(name);
        self
    }

    /// Accepts webhooks without a valid signature. Dangerous: anyone who finds the endpoint
    /// can then forge results. Only for local experiments without a key.
    pub fn dangerously_accept_unsigned(mut self) -> Self {
        self.keys = self.keys.dangerously_accept_unsigned();
        self
    }

    /// The algorithm a delivery that names none is checked under (SHA-256 unless set).
    pub fn with_default_algorithm(mut self, algorithm: HmacAlgorithm) -> Self {
        self.default_algorithm = algorithm;
        self
    }

    /// Also accepts HMAC-SHA1, a legacy algorithm some vendors' older webhooks still use. Off
    /// by default, whether a delivery names it or it is the default: a weaker digest is the
    /// operator's explicit choice.
    pub fn allow_legacy_sha1(mut self) -> Self {
        self.allow_sha1 = true;
        self
    }

    /// A verifier from the vendor's keys variable in the process environment.
    ///
    /// # Errors
    /// [`ErrorKind::Config`](kyc_core::ErrorKind::Config) when it is not set or blank.
    pub fn from_env() -> Result<Self, Error> {
        Self::from_vars(std::env::vars())
    }

    /// [`from_env`](Self::from_env) over a key-value list.
    ///
    /// # Errors
    /// As [`from_env`](Self::from_env).
    pub fn from_vars(
        vars: impl IntoIterator<Item = (impl AsRef<str>, impl Into<String>)>,
    ) -> Result<Self, Error> {
        let vars = Vars::pick(F::PROVIDER, [F::KEYS_VAR], vars);
        let keys = vars.required(F::KEYS_VAR)?;
        Ok(Self::from_keys(WebhookKeys::new(F::PROVIDER).with_keys_from_list(&keys)))
    }

    /// The keys, in the order added.
    pub fn keys(&self) -> &WebhookKeys {
        &self.keys
    }

    /// The algorithm `headers` name (or the default), when this verifier accepts it.
    fn algorithm(&self, headers: &HeaderMap) -> Result<HmacAlgorithm, Error> {
        let name = self.keys.provider();
        let named = match F::ALGORITHM_HEADER.and_then(|header| headers.get(header)) {
            None => Some(self.default_algorithm),
            Some(value) => {
                let value = value.to_str().unwrap_or_default().trim();
                let word = F::ALGORITHMS.iter().find(|(word, _)| word.eq_ignore_ascii_case(value));
                word.map(|(_, algorithm)| *algorithm)
            }
        };
        match named {
            Some(HmacAlgorithm::Sha1) if !self.allow_sha1 => {
                tracing::warn!(
                    provider = %name,
                    "a webhook signed with legacy HMAC-SHA1 was refused: choose SHA-256 or \
                     SHA-512 in the webhook's settings, or allow SHA-1 explicitly"
                );
                let word = F::ALGORITHMS.iter().find(|(_, a)| *a == HmacAlgorithm::Sha1);
                let refused = Error::invalid_signature(name);
                Err(match word {
                    Some((word, _)) => refused.with_vendor_code(*word),
                    None => refused,
                })
            }
            Some(algorithm) => Ok(algorithm),
            None => Err(Error::invalid_signature(name)),
        }
    }
}

impl<F: WebhookFormat> WebhookVerifier for Webhooks<F> {
    fn verify_webhook(&self, headers: &HeaderMap, body: &[u8]) -> Result<WebhookEvent, Error> {
        let signature = headers.get(F::SIGNATURE_HEADER).and_then(|v| v.to_str().ok());
        // Verified before anything is parsed.
        let algorithm = match self.keys.accepts_unsigned() {
            true => self.default_algorithm,
            false => self.algorithm(headers)?,
        };
        self.keys.check_with(algorithm, signature, body)?;
        F::event(self.keys.provider(), headers, body)
    }
}

impl<F> Clone for Webhooks<F> {
    fn clone(&self) -> Self {
        Self {
            keys: self.keys.clone(),
            default_algorithm: self.default_algorithm,
            allow_sha1: self.allow_sha1,
            format: PhantomData,
        }
    }
}

impl<F: WebhookFormat> fmt::Debug for Webhooks<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Webhooks")
            .field("keys", &self.keys)
            .field("default_algorithm", &self.default_algorithm)
            .field("allow_sha1", &self.allow_sha1)
            .finish()
    }
}

/// The largest webhook body accepted: decision payloads are a few kilobytes.
pub const WEBHOOK_BODY_CAP: usize = 1024 * 1024;

/// The keys a provider's webhooks are signed with, and the check of a delivery against them.
///
/// Several keys are accepted at once so they can be rotated; without any key every delivery
/// is refused, unless [`dangerously_accept_unsigned`](Self::dangerously_accept_unsigned) was
/// chosen. `Debug` prints how many keys there are, never one.
///
/// ```
/// use kyc_adapter::webhook::WebhookKeys;
/// use kyc_core::ErrorKind;
///
/// let keys = WebhookKeys::new("acme").with_key("old-key").with_key("new-key");
/// let body = br#"{"id":"s-1"}"#;
/// let signature = kyc_adapter::webhook::hex_hmac(b"new-key", body);
/// assert!(keys.check(Some(&signature), body).is_ok());
/// let forged = keys.check(Some("00"), body).unwrap_err();
/// assert_eq!(forged.kind(), ErrorKind::InvalidSignature);
/// ```
#[derive(Clone)]
pub struct WebhookKeys {
    provider: String,
    keys: Vec<SecretString>,
    accept_unsigned: bool,
}

impl WebhookKeys {
    /// No keys yet, for `provider` (named in errors).
    pub fn new(provider: impl Into<String>) -> Self {
        Self { provider: provider.into(), keys: Vec::new(), accept_unsigned: false }
    }

    /// Adds a key; every key added is accepted.
    pub fn with_key(mut self, key: impl Into<SecretString>) -> Self {
        self.keys.push(key.into());
        self
    }

    /// Adds every key of a comma-separated list (an environment variable's value), skipping
    /// blanks.
    pub fn with_keys_from_list(mut self, list: &str) -> Self {
        for key in list.split(',').map(str::trim).filter(|k| !k.is_empty()) {
            self.keys.push(SecretString::from(key.to_owned()));
        }
        self
    }

    /// Accepts deliveries without a valid signature. Dangerous: anyone who finds the endpoint
    /// can then forge results. Only for local experiments without a key.
    pub fn dangerously_accept_unsigned(mut self) -> Self {
        self.accept_unsigned = true;
        self
    }

    /// The same keys for a provider named `provider`.
    pub fn renamed(mut self, provider: impl Into<String>) -> Self {
        self.provider = provider.into();
        self
    }

    /// The provider named in errors.
    pub fn provider(&self) -> &str {
        &self.provider
    }

    /// The keys, in the order added (the first is the one a vendor that also signs requests
    /// signs with).
    pub fn keys(&self) -> &[SecretString] {
        &self.keys
    }

    /// Checks a delivery: the body under [`WEBHOOK_BODY_CAP`], then `signature` (the header's
    /// value, hex, either case) against every key. Run it before parsing the body.
    ///
    /// # Errors
    /// `Decode` for a body over the cap; `Config` without any key (and unsigned deliveries not
    /// accepted); `InvalidSignature` for a missing or wrong signature.
    pub fn check(&self, signature: Option<&str>, body: &[u8]) -> Result<(), Error> {
        self.check_with(HmacAlgorithm::Sha256, signature, body)
    }

    /// [`check`](Self::check) with the HMAC computed under `algorithm` (a vendor whose
    /// webhooks name their digest algorithm).
    ///
    /// # Errors
    /// As [`check`](Self::check).
    pub fn check_with(
        &self,
        algorithm: HmacAlgorithm,
        signature: Option<&str>,
        body: &[u8],
    ) -> Result<(), Error> {
        if body.len() > WEBHOOK_BODY_CAP {
            let detail = format!("webhook body larger than {WEBHOOK_BODY_CAP} bytes");
            return Err(Error::invalid_payload(&self.provider, detail));
        }
        if self.accept_unsigned {
            return Ok(());
        }
        if self.keys.is_empty() {
            let detail = "no webhook signing key to verify webhooks with";
            return Err(Error::config(&self.provider, detail));
        }
        let keys: Vec<&[u8]> = self.keys.iter().map(|k| k.expose_secret().as_bytes()).collect();
        match verify_hex_hmac_with(algorithm, &keys, body, signature.unwrap_or_default()) {
            true => Ok(()),
            false => Err(Error::invalid_signature(&self.provider)),
        }
    }

    /// Whether deliveries are accepted without a valid signature
    /// ([`dangerously_accept_unsigned`](Self::dangerously_accept_unsigned)).
    pub fn accepts_unsigned(&self) -> bool {
        self.accept_unsigned
    }
}

impl fmt::Debug for WebhookKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookKeys")
            .field("provider", &self.provider)
            .field("keys", &self.keys.len())
            .field("accept_unsigned", &self.accept_unsigned)
            .finish()
    }
}

/// A hash function an HMAC is computed with. Vendors name it in their webhooks (Sumsub's
/// `x-payload-digest-alg`); most use SHA-256 only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HmacAlgorithm {
    /// HMAC-SHA256: 32 bytes, 64 hex digits.
    Sha256,
    /// HMAC-SHA512: 64 bytes, 128 hex digits.
    Sha512,
    /// HMAC-SHA1: 20 bytes, 40 hex digits. Legacy: a vendor's adapter accepts it only when the
    /// operator explicitly allows it.
    Sha1,
}

impl HmacAlgorithm {
    /// How many hex digits a digest of this algorithm has.
    pub fn hex_len(self) -> usize {
        match self {
            Self::Sha256 => 64,
            Self::Sha512 => 128,
            Self::Sha1 => 40,
        }
    }

    /// The raw HMAC of `message` under `key`.
    fn mac(self, key: &[u8], message: &[u8]) -> Vec<u8> {
        use hmac::{Hmac, KeyInit, Mac};
        fn run<M: Mac + KeyInit>(key: &[u8], message: &[u8]) -> Vec<u8> {
            // HMAC takes keys of every length: `new_from_slice` cannot fail for it.
            let Ok(mut mac) = <M as KeyInit>::new_from_slice(key) else {
                unreachable!("HMAC accepts keys of every length")
            };
            mac.update(message);
            mac.finalize().into_bytes().to_vec()
        }
        match self {
            Self::Sha256 => run::<Hmac<sha2::Sha256>>(key, message),
            Self::Sha512 => run::<Hmac<sha2::Sha512>>(key, message),
            Self::Sha1 => run::<Hmac<sha1::Sha1>>(key, message),
        }
    }

    /// Whether `expected` is the HMAC of `message` under `key`, compared in constant time.
    fn verify(self, key: &[u8], message: &[u8], expected: &[u8]) -> bool {
        use hmac::{Hmac, KeyInit, Mac};
        fn run<M: Mac + KeyInit>(key: &[u8], message: &[u8], expected: &[u8]) -> bool {
            let Ok(mut mac) = <M as KeyInit>::new_from_slice(key) else { return false };
            mac.update(message);
            mac.verify_slice(expected).is_ok()
        }
        match self {
            Self::Sha256 => run::<Hmac<sha2::Sha256>>(key, message, expected),
            Self::Sha512 => run::<Hmac<sha2::Sha512>>(key, message, expected),
            Self::Sha1 => run::<Hmac<sha1::Sha1>>(key, message, expected),
        }
    }
}

/// The lowercase hex HMAC-SHA256 of `message` under `key`.
pub fn hex_hmac(key: &[u8], message: &[u8]) -> String {
    hex_hmac_with(HmacAlgorithm::Sha256, key, message)
}

/// The lowercase hex HMAC of `message` under `key`, with `algorithm`.
///
/// ```
/// use kyc_adapter::webhook::{HmacAlgorithm, hex_hmac_with};
/// // go-sumsub's HMAC-SHA1 webhook vector (https://github.com/thrownew/go-sumsub).
/// assert_eq!(
///     hex_hmac_with(HmacAlgorithm::Sha1, b"SoMe_SeCrEt_KeY", b"someText"),
///     "f6e92ffe371718694d46e28436f76589312df8db"
/// );
/// ```
pub fn hex_hmac_with(algorithm: HmacAlgorithm, key: &[u8], message: &[u8]) -> String {
    crate::lower_hex(&algorithm.mac(key, message))
}

/// Checks a hex HMAC-SHA256 `signature` (either case) of `body` against each of `keys` in
/// constant time.
pub fn verify_hex_hmac(keys: &[&[u8]], body: &[u8], signature: &str) -> bool {
    verify_hex_hmac_with(HmacAlgorithm::Sha256, keys, body, signature)
}

/// Checks a hex HMAC `signature` (either case) of `body` under `algorithm` against each of
/// `keys`, in constant time. A signature of the wrong length for `algorithm` never matches.
pub fn verify_hex_hmac_with(
    algorithm: HmacAlgorithm,
    keys: &[&[u8]],
    body: &[u8],
    signature: &str,
) -> bool {
    let Some(expected) = decode_hex(signature.trim(), algorithm.hex_len()) else { return false };
    keys.iter().any(|key| algorithm.verify(key, body, &expected))
}

fn decode_hex(text: &str, len: usize) -> Option<Vec<u8>> {
    if text.len() != len {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_checks_any_key_and_case() {
        // Veriff's published example (payload A), checked with Python's hmac:
        // https://devdocs.veriff.com/docs/hmac-authentication-and-endpoint-security
        let payload = br#"{"verification":{"callback":"https://veriff.com","person":{"firstName":"John","lastName":"Smith"},"document":{"type":"PASSPORT","country":"EE"},"vendorData":"unique id of a user","timestamp":"2016-05-19T08:30:25.597Z"}}"#;
        let signature = "6af6d95822e19e9cc707aec55395d8d363ba2c7bc4625bc04ebeca0c7bf8cd67";
        let key: &[u8] = b"abcdef12-abcd-abcd-abcd-abcdef012345";
        assert!(verify_hex_hmac(&[key], payload, signature));
        assert!(verify_hex_hmac(&[b"old", key], payload, &signature.to_uppercase()));
        assert!(!verify_hex_hmac(&[b"old"], payload, signature));
        assert!(!verify_hex_hmac(&[key], &payload[1..], signature));
        assert!(!verify_hex_hmac(&[key], payload, "zz"));
        assert!(!verify_hex_hmac(&[key], payload, &"é".repeat(32)));
    }

    /// Sumsub's webhook digest vectors (HMAC-SHA256, -SHA512 and legacy -SHA1 of one body),
    /// checked with Python's hmac; the SHA-1 one is go-sumsub's.
    #[test]
    fn every_algorithm_signs_and_verifies() {
        let body = b"someText";
        let key: &[u8] = b"SoMe_SeCrEt_KeY";
        let sha1 = "f6e92ffe371718694d46e28436f76589312df8db";
        assert_eq!(hex_hmac_with(HmacAlgorithm::Sha1, key, body), sha1);
        assert!(verify_hex_hmac_with(HmacAlgorithm::Sha1, &[key], body, &sha1.to_uppercase()));
        for algorithm in [HmacAlgorithm::Sha256, HmacAlgorithm::Sha512, HmacAlgorithm::Sha1] {
            let digest = hex_hmac_with(algorithm, key, body);
            assert_eq!(digest.len(), algorithm.hex_len());
            assert!(verify_hex_hmac_with(algorithm, &[b"old", key], body, &digest));
            assert!(!verify_hex_hmac_with(algorithm, &[key], b"someTexT", &digest));
            // The digest of another algorithm never passes: not even its prefix.
            for other in [HmacAlgorithm::Sha256, HmacAlgorithm::Sha512, HmacAlgorithm::Sha1] {
                if other != algorithm {
                    assert!(!verify_hex_hmac_with(other, &[key], body, &digest));
                    let cut = &digest[..other.hex_len().min(digest.len())];
                    assert!(!verify_hex_hmac_with(other, &[key], body, cut));
                }
            }
        }
        let keys = WebhookKeys::new("p").with_key("SoMe_SeCrEt_KeY");
        assert!(keys.check_with(HmacAlgorithm::Sha1, Some(sha1), body).is_ok());
        assert!(keys.check(Some(sha1), body).is_err());
    }

    #[test]
    fn the_preamble_refuses_before_parsing() {
        use kyc_core::ErrorKind;
        let body = b"{}";
        let signed = hex_hmac(b"k", body);
        let keys = WebhookKeys::new("p").with_keys_from_list(" ,k, ");
        assert_eq!(keys.keys().len(), 1);
        assert!(keys.check(Some(&signed.to_uppercase()), body).is_ok());
        assert_eq!(keys.check(None, body).unwrap_err().kind(), ErrorKind::InvalidSignature);
        let none = WebhookKeys::new("p");
        assert_eq!(none.check(Some(&signed), body).unwrap_err().kind(), ErrorKind::Config);
        assert!(none.clone().dangerously_accept_unsigned().check(None, body).is_ok());
        let huge = vec![b' '; WEBHOOK_BODY_CAP + 1];
        assert_eq!(keys.check(Some(&signed), &huge).unwrap_err().kind(), ErrorKind::Decode);
        let secret = WebhookKeys::new("p").with_key("s3cr3t-signing-key");
        assert!(!format!("{secret:?}").contains("s3cr3t"), "{secret:?}");
    }
}
