//! Sumsub's request signature, `X-App-Access-Sig`: the lowercase hex HMAC-SHA256, keyed with
//! the app token's secret key, of the timestamp, the method in upper case, the path with its
//! query, and the body, concatenated as bytes (<https://docs.sumsub.com/reference/authentication>).
//!
//! What is signed must be what is sent: the path and query as they go on the wire (the same
//! percent-encoding and parameter order), and the body's exact bytes (serialized once, never
//! re-serialized). A request without a body appends nothing: not `{}`, not `null`.

use std::io::Write as _;

/// The `X-App-Access-Sig` of a request: lowercase hex HMAC-SHA256 under `secret_key` of
/// `ts ‖ METHOD ‖ path_and_query ‖ body`. `method` is upper-cased here (Sumsub signs `GET`, not
/// `get`); `path_and_query` starts with `/` and carries `?` and the query when there is one.
///
/// ```
/// // The GET of an applicant by external user id: no body, nothing appended.
/// assert_eq!(
///     kyc_sumsub::signature(
///         b"Hej2ch71kG2kTd1iIUDZFNsO5C1lh5Gq",
///         1700000000,
///         "GET",
///         "/resources/applicants/-;externalUserId=user-42/one",
///         b"",
///     ),
///     "66bfadf410ab8e05c2e7ad17f4d19c701f9dc625c04dd52fc942fed337635fad"
/// );
/// ```
pub fn signature(
    secret_key: &[u8],
    ts: i64,
    method: &str,
    path_and_query: &str,
    body: &[u8],
) -> String {
    let mut message = Vec::with_capacity(32 + path_and_query.len() + body.len());
    // Writing to a Vec cannot fail.
    let _ = write!(message, "{ts}");
    message.extend(method.bytes().map(|byte| byte.to_ascii_uppercase()));
    message.extend_from_slice(path_and_query.as_bytes());
    message.extend_from_slice(body);
    kyc_adapter::webhook::hex_hmac(secret_key, &message)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The placeholder secret of Sumsub's official signing examples
    /// (<https://github.com/SumSubstance/AppTokenUsageExamples>), used as test input only.
    const SECRET: &[u8] = b"Hej2ch71kG2kTd1iIUDZFNsO5C1lh5Gq";

    /// Vectors computed with Python's `hmac` over the exact bytes shown; V1's signing string is
    /// the one printed in <https://docs.sumsub.com/reference/authentication>.
    #[test]
    fn documented_vectors() {
        let rows: [(i64, &str, &str, &str, &str); 6] = [
            (
                1607551635,
                "POST",
                "/resources/accessTokens?userId=cfd20712-24a2-4c7d-9ab0-146f3c142335&levelName=basic-kyc-level&ttlInSecs=600",
                "",
                "1e1856be1c1e1ff113e5664acac6b423ffefe04ad42ff36567622ef56f62c4b1",
            ),
            (
                1700000000,
                "POST",
                "/resources/sdkIntegrations/levels/-/websdkLink?lang=en",
                r#"{"levelName":"basic-kyc-level","userId":"user-42","applicantIdentifiers":{"email":"jane@example.com"},"ttlInSecs":1800}"#,
                "088d7067bde37eb0176d535577bd2e31e3c23d5e7197c30eece4063f76c0f0ed",
            ),
            (
                1700000000,
                "GET",
                "/resources/applicants/-;externalUserId=user-42/one",
                "",
                "66bfadf410ab8e05c2e7ad17f4d19c701f9dc625c04dd52fc942fed337635fad",
            ),
            (
                1700000000,
                "POST",
                "/resources/sdkIntegrations/levels/basic-kyc-level/websdkLink?ttlInSecs=1800&externalUserId=user-42&lang=en",
                "{}",
                "3b165678724da4b2e2e40cc929f3c504af5821d3f3d1923f396e22e59a16f6d1",
            ),
            (
                1700000000,
                "POST",
                "/resources/applicants/65f0c2b1e4b0a1a2b3c4d5e6/status/testCompleted",
                r#"{"reviewAnswer":"RED","rejectLabels":["UNSATISFACTORY_PHOTOS","SCREENSHOTS"],"reviewRejectType":"RETRY"}"#,
                "a0b5437975e8d38ff8ec29a315afb27c51e9b83dc0ffa08903ed2e543bd0432b",
            ),
            (
                1700000000,
                "GET",
                "/resources/applicants/-;externalUserId=user%40example.com/one",
                "",
                "2bbb2428d460bd5a11b044d62b51c9823ba5a1818ccea826d0fe924fb5eae152",
            ),
        ];
        for (ts, method, path, body, expected) in rows {
            assert_eq!(signature(SECRET, ts, method, path, body.as_bytes()), expected, "{path}");
        }
    }

    /// The pitfalls: a re-serialized body, the query left out, the method in lower case (which
    /// `signature` upper-cases, so it still signs `GET`).
    #[test]
    fn negative_vectors_differ() {
        let body = r#"{"levelName":"basic-kyc-level","userId":"user-42","applicantIdentifiers":{"email":"jane@example.com"},"ttlInSecs":1800}"#;
        let spaced = body.replace(',', ", ").replace(':', ": ");
        let path = "/resources/sdkIntegrations/levels/-/websdkLink";
        assert_eq!(
            signature(SECRET, 1700000000, "POST", &format!("{path}?lang=en"), spaced.as_bytes()),
            "1a0fce6e50e8dbdd25e86fa42e1a4286322b4a9a491939b71fe4d6132a60a785"
        );
        assert_eq!(
            signature(SECRET, 1700000000, "POST", path, body.as_bytes()),
            "71a36cbac411f529f0a80c675d5e3a0d7ad8283aea3713ab739952e1d4acec6e"
        );
        let v3 = "/resources/applicants/-;externalUserId=user-42/one";
        assert_eq!(
            signature(SECRET, 1700000000, "get", v3, b""),
            "66bfadf410ab8e05c2e7ad17f4d19c701f9dc625c04dd52fc942fed337635fad"
        );
        // V3b: a lower-case method signs other bytes; `signature` never sends that.
        let lower = format!("1700000000get{v3}");
        assert_eq!(
            kyc_adapter::webhook::hex_hmac(SECRET, lower.as_bytes()),
            "9de007d8309e9128f111da6f743a827ac77a2a4e94aeeb8502e7e7be7006a8f4"
        );
        // Third-party vectors re-checked: go-sumsub and a community TypeScript client.
        assert_eq!(
            signature(
                b"api_secret",
                1712760187,
                "POST",
                "/resources/accessTokens",
                br#"{"userId":"1000","levelName":"default","ttl":60}"#
            ),
            "260c8893fb0317e8a714ce3bce9c16821649f1e27a49bd7d926fcf23942628c0"
        );
        assert_eq!(
            signature(
                b"test-secret-key",
                1700000000,
                "GET",
                "/resources/applicants/-;externalUserId=user-1/one",
                b""
            ),
            "78c2fc8ee54f5a74b798b765401ab5186902c3498c08b375134ce6da180071cd"
        );
    }
}
