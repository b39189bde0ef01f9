//! Onfido's error answers, mapped once to the neutral [`Error`], as the table in the crate docs
//! says. The body is `{"error": {"type", "message", "fields"}}`
//! (<https://github.com/onfido/onfido-openapi-spec/blob/master/responses/default_error.yaml>);
//! the `type` decides before the status where it is one Onfido documents.

use std::time::Duration;

use serde_json::Value;

use kyc_adapter::http::{status_error, with_vendor_details};
use kyc_adapter::{ErrorExt, decode};
use kyc_core::{Error, Feature, FieldError};

use crate::wire::ErrorBody;

/// `error.type` of a request that breaks Onfido's rules (422, with `fields`).
pub const VALIDATION_ERROR: &str = "validation_error";
/// `error.type` of an id Onfido does not know (404), or one deleted.
pub const RESOURCE_NOT_FOUND: &str = "resource_not_found";
/// `error.type` of an applicant that cannot be deleted while its checks run.
pub const DELETION_INCOMPLETE_CHECKS: &str = "deletion_incomplete_checks";

/// Which call was refused, for the words of the error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Call {
    /// `POST /applicants`.
    CreateApplicant,
    /// `POST /workflow_runs`.
    CreateRun,
    /// `GET /workflow_runs/{id}`, `GET /workflow_runs?applicant_id=`.
    ReadRun,
    /// `DELETE /applicants/{id}`.
    DeleteApplicant,
}

/// The neutral error for a non-2xx answer to `call`; `region` is what a 401 names (the region
/// the client is configured for, or its base URL).
pub(crate) fn error_from_response(
    provider: &str,
    call: Call,
    region: &str,
    status: u16,
    retry_after: Option<Duration>,
    body: &[u8],
) -> Error {
    // Not Onfido's JSON (an HTML error page, a proxy's text, nothing): the status decides.
    let (parsed, excerpt) = decode::error_body::<ErrorBody>(body);
    let detail = parsed.error.unwrap_or_default();
    let kind = detail.kind.as_deref().map(str::trim).filter(|kind| !kind.is_empty());
    let error = match (status, kind) {
        // A failing server decides by its status whatever type it sends.
        (500.., _) => status_error(provider, status, None, retry_after),
        (_, Some(DELETION_INCOMPLETE_CHECKS)) => Error::conflict(
            provider,
            status,
            "the applicant has checks in progress and cannot be deleted until they finish",
        ),
        // A rule Onfido has that this adapter did not check before sending: another provider
        // may take the request, so failover moves on.
        (422, _) | (_, Some(VALIDATION_ERROR)) => Error::unsupported_by_provider(
            provider,
            Feature::Rules(refused_fields(detail.fields.as_ref())),
            status,
        ),
        // Onfido's regions are separate accounts: a token of another region is refused like a
        // wrong one, so the region the client is configured for is part of the message.
        (401, _) => Error::unauthenticated(provider, status).with_detail(format!(
            "the API token is wrong, revoked, or belongs to another region than {region} \
             (ONFIDO_REGION)"
        )),
        (404, _) => match call {
            Call::CreateRun => Error::rejected(provider, status).with_detail(
                "the workflow or the applicant does not exist (is the workflow id of this \
                 account and region, and active?)",
            ),
            Call::ReadRun | Call::DeleteApplicant => {
                Error::rejected(provider, status).with_detail("no such workflow run or applicant")
            }
            Call::CreateApplicant => status_error(provider, status, None, retry_after),
        },
        // 401 with a body other than Onfido's, 402, 403, 429, and the rest: the shared table.
        _ => status_error(provider, status, None, retry_after),
    };
    let message = detail.message.filter(|m| !m.trim().is_empty()).or(excerpt);
    // The fields' own messages may quote what was sent: kept with the vendor message only.
    let message = match (message, detail.fields.as_ref()) {
        (Some(text), Some(fields)) => Some(format!("{text}: {fields}")),
        (text, _) => text,
    };
    with_vendor_details(error, kind, message)
}

/// The fields a validation error names, under the neutral request's paths where the field is
/// one the request sets (`first_name` is `person.firstName`), else under
/// `providerOptions.onfido` or `onfido.` and Onfido's own path. Only names: the messages may
/// quote values.
fn refused_fields(fields: Option<&Value>) -> Vec<FieldError> {
    let mut paths = Vec::new();
    if let Some(fields) = fields {
        collect_paths(fields, String::new(), &mut paths);
    }
    let mut refused: Vec<FieldError> = paths
        .iter()
        .map(|path| FieldError::new(neutral_path(path), "refused by Onfido (validation_error)"))
        .collect();
    refused.dedup();
    if refused.is_empty() {
        refused.push(FieldError::new("request", "refused by Onfido (validation_error)"));
    }
    refused
}

/// Every leaf path of a `fields` object: a field maps to its messages (an array of strings), or
/// to an object of nested fields, or to an array of such objects for a list field.
fn collect_paths(value: &Value, prefix: String, paths: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                let path = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
                collect_paths(value, path, paths);
            }
        }
        Value::Array(items) if items.iter().any(Value::is_object) => {
            for (index, item) in items.iter().enumerate() {
                collect_paths(item, format!("{prefix}[{index}]"), paths);
            }
        }
        _ if !prefix.is_empty() => paths.push(prefix),
        _ => {}
    }
}

fn neutral_path(path: &str) -> String {
    let neutral = match path {
        "first_name" => "person.firstName",
        "last_name" => "person.lastName",
        "dob" => "person.dateOfBirth",
        "email" => "person.email",
        "phone_number" => "person.phone",
        "customer_user_id" => "clientId",
        "link.language" => "locale",
        "link.completed_redirect_url" => "redirects.success",
        "link.expires_at" => "linkValiditySeconds",
        "link.expired_redirect_url" => "providerOptions.onfido.expiredRedirectUrl",
        "workflow_id" => "providerOptions.onfido.workflowId",
        "custom_data" => "providerOptions.onfido.customData",
        _ if path == "tags" || path.starts_with("tags[") => "tags",
        _ if path.starts_with("address") || path.starts_with("location") => {
            return format!("providerOptions.onfido.{}", camel_case(path));
        }
        _ => return format!("onfido.{path}"),
    };
    neutral.to_owned()
}

fn camel_case(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut upper = false;
    for c in path.chars() {
        match c {
            '_' => upper = true,
            _ if upper => {
                out.extend(c.to_uppercase());
                upper = false;
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use kyc_core::{ErrorKind, Outcome};
    use proptest::prelude::*;

    fn map(status: u16, body: &str) -> Error {
        error_from_response("onfido", Call::CreateApplicant, "eu", status, None, body.as_bytes())
    }

    /// The error table of the crate docs, row by row.
    #[test]
    fn every_answer_maps_as_documented() {
        let body = |kind: &str| format!(r#"{{"error":{{"type":"{kind}","message":"m"}}}}"#);
        let rows: [(u16, String, ErrorKind, Outcome); 11] = [
            (500, body("validation_error"), ErrorKind::Unavailable, Outcome::Unknown),
            (503, "<html>down</html>".into(), ErrorKind::Unavailable, Outcome::Rejected),
            (422, body("validation_error"), ErrorKind::Unsupported, Outcome::Rejected),
            (400, body("validation_error"), ErrorKind::Unsupported, Outcome::Rejected),
            (401, body("authorization_error"), ErrorKind::Unauthenticated, Outcome::Rejected),
            (403, body("forbidden"), ErrorKind::Forbidden, Outcome::Rejected),
            (402, "".into(), ErrorKind::OutOfFunds, Outcome::Rejected),
            (404, body("resource_not_found"), ErrorKind::Rejected, Outcome::Rejected),
            (409, body("deletion_incomplete_checks"), ErrorKind::Conflict, Outcome::Rejected),
            (429, body("rate_limit"), ErrorKind::RateLimited, Outcome::Rejected),
            (400, "not json".into(), ErrorKind::Rejected, Outcome::Rejected),
        ];
        for (status, body, kind, outcome) in rows {
            let error = map(status, &body);
            assert_eq!((error.kind(), error.outcome()), (kind, outcome), "{status} {body}");
        }
    }

    #[test]
    fn validation_errors_name_the_fields_and_never_their_messages() {
        let body = r#"{"error":{"type":"validation_error","message":"There was a validation error on this request","fields":{"first_name":["can't contain Jane"],"address":{"postcode":["invalid postcode"]},"id_numbers":[{"type":["is invalid"]}],"tags":["too long"]}}}"#;
        let error = map(422, body);
        let Some(Feature::Rules(rules)) = error.unsupported_feature() else { panic!("{error:?}") };
        let fields: Vec<&str> = rules.iter().map(FieldError::field).collect();
        assert_eq!(
            fields,
            [
                "providerOptions.onfido.address.postcode",
                "person.firstName",
                "onfido.id_numbers[0].type",
                "tags"
            ]
        );
        assert!(!error.to_string().contains("Jane"), "{error}");
        assert!(!format!("{error:?}").contains("Jane"));
        assert!(error.vendor_message().unwrap().contains("can't contain Jane"));
        assert_eq!(error.vendor_code(), Some("validation_error"));
    }

    #[test]
    fn a_401_names_the_region() {
        let error = map(401, r#"{"error":{"type":"authorization_error","message":"x"}}"#);
        assert_eq!(
            error.to_string(),
            "onfido refused the credentials: the API token is wrong, revoked, or belongs to \
             another region than eu (ONFIDO_REGION) (http 401, code authorization_error)"
        );
    }

    #[test]
    fn an_unknown_workflow_is_said_so() {
        let body = r#"{"error":{"type":"resource_not_found","message":"Could not find the following resource: Workflow with id=x"}}"#;
        let error =
            error_from_response("onfido", Call::CreateRun, "eu", 404, None, body.as_bytes());
        assert!(error.to_string().contains("workflow id"), "{error}");
    }

    proptest! {
        /// Whatever comes back, mapping never panics and always says who.
        #[test]
        fn arbitrary_answers_never_panic(body in proptest::collection::vec(any::<u8>(), 0..512), status in 100u16..600) {
            let _ = serde_json::from_slice::<crate::wire::WorkflowRun>(&body);
            let _ = serde_json::from_slice::<crate::wire::WebhookBody>(&body);
            let error = error_from_response("onfido", Call::CreateRun, "eu", status, None, &body);
            prop_assert_eq!(error.provider(), Some("onfido"));
            prop_assert!(!error.to_string().is_empty());
        }

        /// `fields` of any shape.
        #[test]
        fn arbitrary_fields_never_panic(
            key in "[a-z_\\[\\]0-9.]{0,12}",
            depth in 0usize..4,
            status in 400u16..500,
        ) {
            let mut fields = serde_json::json!(["m"]);
            for _ in 0..depth {
                fields = serde_json::json!({ key.clone(): [fields.clone(), "x"] });
            }
            let body = serde_json::json!({"error": {"type": "validation_error", "fields": fields}});
            let error = map(status, &body.to_string());
            prop_assert!(matches!(error.unsupported_feature(), Some(Feature::Rules(rules)) if !rules.is_empty()));
        }
    }
}
