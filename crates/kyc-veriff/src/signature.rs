//! Veriff's `X-HMAC-SIGNATURE`: lowercase hex HMAC-SHA256 keyed with the integration's shared
//! secret (<https://devdocs.veriff.com/docs/hmac-authentication-and-endpoint-security>). A request body is
//! signed as the exact bytes sent: serialize once, sign those bytes, send those bytes.

/// The lowercase hex HMAC-SHA256 of `message` under `secret`, as Veriff expects in
/// `X-HMAC-SIGNATURE`.
///
/// ```
/// // Veriff's published example, payload A.
/// let payload = br#"{"verification":{"callback":"https://veriff.com","person":{"firstName":"John","lastName":"Smith"},"document":{"type":"PASSPORT","country":"EE"},"vendorData":"unique id of a user","timestamp":"2016-05-19T08:30:25.597Z"}}"#;
/// assert_eq!(
///     kyc_veriff::signature(b"abcdef12-abcd-abcd-abcd-abcdef012345", payload),
///     "6af6d95822e19e9cc707aec55395d8d363ba2c7bc4625bc04ebeca0c7bf8cd67"
/// );
/// ```
pub fn signature(secret: &[u8], message: &[u8]) -> String {
    kyc_adapter::webhook::hex_hmac(secret, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"abcdef12-abcd-abcd-abcd-abcdef012345";

    /// Veriff's published payloads A and B, checked with Python's hmac.
    #[test]
    fn published_vectors() {
        let a = r#"{"verification":{"callback":"https://veriff.com","person":{"firstName":"John","lastName":"Smith"},"document":{"type":"PASSPORT","country":"EE"},"vendorData":"unique id of a user","timestamp":"2016-05-19T08:30:25.597Z"}}"#;
        let b = a.replace("unique id of a user", "unique id of the end-user");
        assert_eq!(
            signature(SECRET, a.as_bytes()),
            "6af6d95822e19e9cc707aec55395d8d363ba2c7bc4625bc04ebeca0c7bf8cd67"
        );
        assert_eq!(
            signature(SECRET, b.as_bytes()),
            "0dcab73ddd20062616d104231c7439657546a5c24e4691977da93bb854c31e25"
        );
        // The legacy X-Signature, sha256(payload ‖ secret), starts 19f1c844: a different scheme.
        assert!(!signature(SECRET, a.as_bytes()).starts_with("19f1c844"));
    }
}
