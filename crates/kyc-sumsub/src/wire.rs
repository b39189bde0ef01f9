//! Sumsub's wire format: the `websdkLink` body and answer
//! (<https://docs.sumsub.com/reference/generate-websdk-external-link>), the applicant read back
//! when polling (<https://docs.sumsub.com/reference/get-applicant-data-via-externaluserid>), the
//! webhook payload (<https://docs.sumsub.com/docs/user-verification-webhooks>), and error
//! answers (<https://docs.sumsub.com/reference/error-codes-description>).
//!
//! Everything read is read leniently: Sumsub adds fields without versioning
//! (<https://developers.sumsub.com/api-reference/>), so unknown fields are ignored and an
//! optional field of the wrong type counts as absent.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use kyc_adapter::decode::{lenient, lenient_text, lenient_u64};
use kyc_core::Locale;

/// The body of `POST /resources/sdkIntegrations/levels/-/websdkLink`, in the order of the
/// vendor's example. No `Debug`: it carries the person's contact details.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WebsdkLink<'a> {
    pub(crate) level_name: &'a str,
    pub(crate) user_id: &'a str,
    #[serde(skip_serializing_if = "ApplicantIdentifiers::is_empty")]
    pub(crate) applicant_identifiers: ApplicantIdentifiers<'a>,
    pub(crate) ttl_in_secs: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) redirect: Option<Redirect<'a>>,
}

/// `applicantIdentifiers`: the person's email and phone, to prefill (personal data: no `Debug`,
/// so no log can print them).
#[derive(Default, Serialize)]
pub(crate) struct ApplicantIdentifiers<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) email: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) phone: Option<&'a str>,
}

impl ApplicantIdentifiers<'_> {
    fn is_empty(&self) -> bool {
        self.email.is_none() && self.phone.is_none()
    }
}

/// `redirect`: where the person goes after a positive (`successUrl`) or a negative
/// (`rejectUrl`) outcome; Sumsub has no other target.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Redirect<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) success_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) reject_url: Option<&'a str>,
}

/// The answer: `{"url": "..."}`, nothing else (no id, no expiry).
#[derive(Debug, Deserialize)]
pub(crate) struct WebsdkLinkAnswer {
    pub(crate) url: String,
}

/// Sumsub's `lang` for a neutral locale, when the WebSDK offers it
/// (<https://docs.sumsub.com/docs/supported-sdk-languages>): ISO 639-1 codes, with `zh-tw` for
/// Traditional Chinese and `no` for Norwegian (Bokmål included). Macedonian, Slovenian and
/// Albanian are not in the list. Named one by one, so a language the neutral list gains later is
/// not offered until someone checks Sumsub's list for it.
pub(crate) fn lang_code(locale: Locale) -> Option<&'static str> {
    use Locale::*;
    Some(match locale {
        ZhHant => "zh-tw",
        Nb => "no",
        Ar | Bg | Bn | Ca | Cs | Da | De | El | En | Es | Et | Fa | Fi | Fr | He | Hi | Hr | Hu
        | Hy | Id | It | Ja | Ka | Kk | Ko | Lt | Lv | Ms | Nl | No | Pl | Pt | Ro | Ru | Sk
        | Sr | Sv | Th | Tr | Uk | Ur | Uz | Vi | Zh => locale.into(),
        _ => return None,
    })
}

/// An error answer: `{description, code, correlationId?, errorCode?, errorName?}`
/// (<https://docs.sumsub.com/reference/error-codes-description>). `code` repeats the HTTP
/// status; `errorCode` is the number to match on. `errorName` is not read: it has been seen with
/// a space in it (`app-token-signature mismatch`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ErrorBody {
    #[serde(default, deserialize_with = "lenient_text")]
    pub(crate) description: Option<String>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub(crate) code: Option<u64>,
    #[serde(default, deserialize_with = "lenient_text")]
    pub(crate) correlation_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub(crate) error_code: Option<u64>,
}

/// An applicant, as `GET /resources/applicants/-;externalUserId={id}/one` answers it: only
/// what a decision needs.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Applicant {
    pub(crate) id: String,
    #[serde(default, deserialize_with = "lenient_text")]
    pub(crate) external_user_id: Option<String>,
    #[serde(default, rename = "type", deserialize_with = "lenient_text")]
    pub(crate) applicant_type: Option<String>,
    /// `true` once the profile is deactivated
    /// (<https://docs.sumsub.com/reference/deactivate-applicant-profile>).
    #[serde(default, deserialize_with = "lenient")]
    pub(crate) deleted: Option<bool>,
    #[serde(default, deserialize_with = "lenient")]
    pub(crate) review: Option<Review>,
}

/// `review` of an applicant.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Review {
    #[serde(default, deserialize_with = "lenient_text")]
    pub(crate) review_status: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub(crate) review_result: Option<ReviewResult>,
    #[serde(default, deserialize_with = "lenient_text")]
    pub(crate) attempt_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_text")]
    pub(crate) review_date: Option<String>,
}

/// `reviewResult` (<https://docs.sumsub.com/docs/receive-and-interpret-results-via-api>).
/// `clientComment` is not read: it is internal and may hold private data.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ReviewResult {
    #[serde(default, deserialize_with = "lenient_text")]
    pub(crate) review_answer: Option<String>,
    #[serde(default, deserialize_with = "lenient_text")]
    pub(crate) review_reject_type: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub(crate) reject_labels: Option<Vec<String>>,
    #[serde(default, deserialize_with = "lenient_text")]
    pub(crate) moderation_comment: Option<String>,
}

/// A webhook body (<https://docs.sumsub.com/docs/user-verification-webhooks>): only `type` is
/// required; personal data is never in it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WebhookBody {
    #[serde(rename = "type")]
    pub(crate) event_type: String,
    #[serde(default, deserialize_with = "lenient_text")]
    pub(crate) external_user_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_text")]
    pub(crate) applicant_type: Option<String>,
    #[serde(default, deserialize_with = "lenient_text")]
    pub(crate) review_status: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub(crate) review_result: Option<ReviewResult>,
    #[serde(default, deserialize_with = "lenient")]
    pub(crate) applicant_member_of: Option<Vec<Value>>,
    #[serde(default, deserialize_with = "lenient_text")]
    pub(crate) created_at: Option<String>,
    #[serde(default, deserialize_with = "lenient_text")]
    pub(crate) created_at_ms: Option<String>,
}

/// A Sumsub time: `2024-05-14 16:00:25+0000` (review dates, webhook `createdAt`),
/// `2024-05-14 16:00:25.032` (webhook `createdAtMs`, UTC without a zone, and no epoch number
/// despite its name) or `2023-10-16 13:34:54` (applicant `createdAt`, UTC). None is RFC 3339.
pub(crate) fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(zoned) = DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f%z") {
        return Some(zoned.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f").ok().map(|t| t.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sumsub_times_parse() {
        let at = |s: &str| parse_time(s).map(|t| t.to_rfc3339());
        assert_eq!(at("2024-05-14 16:00:25+0000").as_deref(), Some("2024-05-14T16:00:25+00:00"));
        assert_eq!(at("2024-05-14 16:00:25.032").as_deref(), Some("2024-05-14T16:00:25.032+00:00"));
        assert_eq!(at("2023-10-16 13:34:54").as_deref(), Some("2023-10-16T13:34:54+00:00"));
        assert_eq!(at("2023-10-16 15:34:54+0200").as_deref(), Some("2023-10-16T13:34:54+00:00"));
        assert_eq!(at("1715702425032"), None);
        assert_eq!(at(""), None);
    }

    #[test]
    fn the_body_is_in_the_documented_order() {
        let body = WebsdkLink {
            level_name: "basic-kyc-level",
            user_id: "user-42",
            applicant_identifiers: ApplicantIdentifiers {
                email: Some("jane@example.com"),
                phone: None,
            },
            ttl_in_secs: 1800,
            redirect: None,
        };
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"levelName":"basic-kyc-level","userId":"user-42","applicantIdentifiers":{"email":"jane@example.com"},"ttlInSecs":1800}"#
        );
    }
}
