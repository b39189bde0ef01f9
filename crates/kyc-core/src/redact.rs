//! Printing configuration and options without their values: vendor options can carry personal
//! data (iDenfy `additionalData`, raw fields a vendor adds tomorrow), so their `Debug` output
//! names what is set and nothing more.

use std::fmt;

use serde::Serialize;

/// A `Debug` value that prints the names of the fields `value` sets (its serialized keys, in
/// alphabetical order).
///
/// ```
/// #[derive(serde::Serialize)]
/// struct Options { check_aml: Option<bool>, additional_data: Option<String> }
/// let options = Options { check_aml: Some(true), additional_data: Some("SSN 123".into()) };
/// assert_eq!(
///     format!("{:?}", kyc_core::redact::SetFields(&options)),
///     r#"["additional_data", "check_aml"]"#
/// );
/// ```
pub struct SetFields<'a, T>(pub &'a T);

impl<T: Serialize> fmt::Debug for SetFields<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys: Vec<String> = match serde_json::to_value(self.0) {
            Ok(serde_json::Value::Object(map)) => {
                map.into_iter().filter(|(_, v)| !v.is_null()).map(|(k, _)| k).collect()
            }
            _ => Vec::new(),
        };
        f.debug_list().entries(keys).finish()
    }
}
