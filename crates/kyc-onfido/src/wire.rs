//! Onfido's wire format (API v3.6, <https://documentation.onfido.com/api/latest/>): the
//! applicant (`POST /applicants`), the workflow run (`POST /workflow_runs`, `GET
//! /workflow_runs/{id}`), the webhook payload and the error body, as the OpenAPI specification
//! defines them (<https://github.com/onfido/onfido-openapi-spec>).
//!
//! Everything read is read leniently: the specification's own advice to client generators is
//! to expect new enum values and undeclared properties
//! (<https://github.com/onfido/onfido-openapi-spec/blob/master/README.md>), so unknown fields
//! are ignored, statuses are strings, and an optional field of the wrong type counts as absent.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use kyc_adapter::decode::{lenient, lenient_text, lenient_text_object, lenient_time};
use kyc_core::Locale;

use crate::options::{OnfidoAddress, OnfidoConsent, OnfidoLocation};

/// The body of `POST /applicants`
/// (<https://documentation.onfido.com/api/latest/#create-applicant>). No `Debug`: it is the
/// person's data.
#[derive(Serialize)]
pub(crate) struct NewApplicant<'a> {
    pub(crate) first_name: &'a str,
    pub(crate) last_name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) dob: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) email: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) phone_number: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) address: Option<Address<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) location: Option<Location<'a>>,
    #[serde(skip_serializing_if = "<[OnfidoConsent]>::is_empty")]
    pub(crate) consents: &'a [OnfidoConsent],
}

/// `address`, under Onfido's names.
#[derive(Serialize)]
pub(crate) struct Address<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    flat_number: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    building_number: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    building_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    street: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sub_street: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    town: Option<&'a str>,
    postcode: &'a str,
    country: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    state: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    line1: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    line2: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    line3: Option<&'a str>,
}

impl<'a> From<&'a OnfidoAddress> for Address<'a> {
    fn from(address: &'a OnfidoAddress) -> Self {
        Self {
            flat_number: address.flat_number.as_deref(),
            building_number: address.building_number.as_deref(),
            building_name: address.building_name.as_deref(),
            street: address.street.as_deref(),
            sub_street: address.sub_street.as_deref(),
            town: address.town.as_deref(),
            postcode: &address.postcode,
            country: &address.country,
            state: address.state.as_deref(),
            line1: address.line1.as_deref(),
            line2: address.line2.as_deref(),
            line3: address.line3.as_deref(),
        }
    }
}

/// `location`, under Onfido's names.
#[derive(Serialize)]
pub(crate) struct Location<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    ip_address: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    country_of_residence: Option<&'a str>,
}

impl<'a> From<&'a OnfidoLocation> for Location<'a> {
    fn from(location: &'a OnfidoLocation) -> Self {
        Self {
            ip_address: location.ip_address.as_deref(),
            country_of_residence: location.country_of_residence.as_deref(),
        }
    }
}

/// The applicant answered: only its id is read (the rest echoes what was sent).
#[derive(Debug, Deserialize)]
pub(crate) struct Applicant {
    pub(crate) id: String,
}

/// The body of `POST /workflow_runs`
/// (<https://documentation.onfido.com/api/latest/#create-workflow-run>).
#[derive(Debug, Serialize)]
pub(crate) struct NewWorkflowRun<'a> {
    pub(crate) workflow_id: &'a str,
    pub(crate) applicant_id: &'a str,
    pub(crate) customer_user_id: &'a str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub(crate) tags: &'a [String],
    pub(crate) link: NewLink<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) custom_data: Option<&'a Map<String, Value>>,
}

/// `link`: the hosted page's settings.
#[derive(Debug, Serialize)]
pub(crate) struct NewLink<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) completed_redirect_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) expired_redirect_url: Option<&'a str>,
    pub(crate) expires_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) language: Option<&'static str>,
}

/// A workflow run, as created, read, and carried in a webhook's `resource` (which for a task
/// event is the task, read through the same fields). `Debug` prints its
/// id and status only: `sdk_token` loads the person's session.
#[derive(Default, Deserialize)]
pub(crate) struct WorkflowRun {
    #[serde(default, deserialize_with = "lenient_text")]
    pub(crate) id: Option<String>,
    #[serde(default, deserialize_with = "lenient_text")]
    pub(crate) applicant_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_text")]
    pub(crate) status: Option<String>,
    #[serde(default, deserialize_with = "Link::lenient")]
    pub(crate) link: Option<Link>,
    /// A token for Onfido's SDKs to load this run.
    #[serde(default, deserialize_with = "lenient_text")]
    pub(crate) sdk_token: Option<String>,
    #[serde(default, deserialize_with = "lenient_text")]
    pub(crate) dashboard_url: Option<String>,
    #[serde(default, deserialize_with = "lenient_text")]
    pub(crate) customer_user_id: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub(crate) reasons: Option<Vec<String>>,
    #[serde(default, deserialize_with = "lenient")]
    pub(crate) error: Option<RunError>,
    #[serde(default, deserialize_with = "lenient_time")]
    pub(crate) updated_at: Option<DateTime<Utc>>,
    /// A task's run, when a webhook's `resource` is a workflow task rather than a run
    /// (<https://github.com/onfido/onfido-openapi-spec/blob/master/schemas/webhooks/webhook_event.yaml>).
    #[serde(default, deserialize_with = "lenient_text")]
    pub(crate) workflow_run_id: Option<String>,
}

impl fmt::Debug for WorkflowRun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WorkflowRun")
            .field("id", &self.id)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

/// `link` of a run: the hosted page and when it stops working. Read on every session, straight
/// from the answer (`lenient_text_object`: a repeated key takes its last value).
#[derive(Debug, Default)]
pub(crate) struct Link {
    pub(crate) url: Option<String>,
    pub(crate) expires_at: Option<DateTime<Utc>>,
}

impl Link {
    fn lenient<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        lenient_text_object(d, |link: &mut Link, key, value| match key {
            "url" => link.url = value,
            "expires_at" => link.expires_at = value.and_then(|time| time.parse().ok()),
            _ => {}
        })
    }
}

/// `error` of a run whose status is `error`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RunError {
    #[serde(rename = "type", default, deserialize_with = "lenient_text")]
    pub(crate) kind: Option<String>,
    #[serde(default, deserialize_with = "lenient_text")]
    pub(crate) message: Option<String>,
}

/// The webhook body (`webhook_event`,
/// <https://documentation.onfido.com/api/latest/#webhooks>): everything is under `payload`.
#[derive(Debug, Deserialize)]
pub(crate) struct WebhookBody {
    pub(crate) payload: WebhookPayload,
}

/// `payload`: the resource type, the event (`action`), the object it is about, and for a
/// workflow run the whole run.
#[derive(Debug, Deserialize)]
pub(crate) struct WebhookPayload {
    #[serde(default, deserialize_with = "lenient_text")]
    pub(crate) resource_type: Option<String>,
    pub(crate) action: String,
    #[serde(default)]
    pub(crate) object: WebhookObject,
    #[serde(default, deserialize_with = "lenient")]
    pub(crate) resource: Option<WorkflowRun>,
}

/// `payload.object`: the id (not always a UUID: task ids look like `profile_1eb92`), its
/// status, and for task events the run they belong to.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct WebhookObject {
    #[serde(default, deserialize_with = "lenient_text")]
    pub(crate) id: Option<String>,
    #[serde(default, deserialize_with = "lenient_text")]
    pub(crate) status: Option<String>,
    #[serde(default, deserialize_with = "lenient_time")]
    pub(crate) completed_at_iso8601: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "lenient_text")]
    pub(crate) workflow_run_id: Option<String>,
}

/// Onfido's error body, `{"error": {"type", "message", "fields"}}`
/// (<https://github.com/onfido/onfido-openapi-spec/blob/master/responses/default_error.yaml>).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ErrorBody {
    #[serde(default, deserialize_with = "lenient")]
    pub(crate) error: Option<ErrorDetail>,
}

/// `error`: the type decides, the message is kept for the vendor message, `fields` names what
/// a validation error found (a map of field names to messages, nested for nested fields).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ErrorDetail {
    #[serde(rename = "type", default, deserialize_with = "lenient_text")]
    pub(crate) kind: Option<String>,
    #[serde(default, deserialize_with = "lenient_text")]
    pub(crate) message: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub(crate) fields: Option<Value>,
}

/// Onfido's `link.language` for a neutral locale: the seven of the specification's enum
/// (<https://github.com/onfido/onfido-openapi-spec/blob/master/schemas/workflow_runs/definitions.yaml>),
/// named one by one.
pub(crate) fn language(locale: Locale) -> Option<&'static str> {
    Some(match locale {
        Locale::En => "en_US",
        Locale::De => "de_DE",
        Locale::Es => "es_ES",
        Locale::Fr => "fr_FR",
        Locale::It => "it_IT",
        Locale::Pt => "pt_PT",
        Locale::Nl => "nl_NL",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_run_decodes() {
        // The workflow run of Onfido's `workflow_run.completed` sample (the Java client's test).
        let run: WorkflowRun = serde_json::from_str(
            r#"{"link":{"completed_redirect_url":null,"language":null,"expired_redirect_url":null,"url":"https://eu.onfido.app/l/d19692d6-730a-4730-9005-82185a5ec595","expires_at":null},"error":null,"id":"d19692d6-730a-4730-9005-82185a5ec595","updated_at":"2024-07-10T11:48:04Z","output":null,"applicant_id":"520d3d08-c600-4458-abf3-d0e91cff2735","tags":[],"created_at":"2024-07-10T11:48:04Z","sdk_token":null,"reasons":[],"status":"approved","workflow_version_id":1,"dashboard_url":"https://dashboard.onfido.com/results/d19692d6-730a-4730-9005-82185a5ec595","workflow_id":"221f9d24-cf72-4762-ac4a-01bf3ccc09dd"}"#,
        )
        .unwrap();
        assert_eq!(run.status.as_deref(), Some("approved"));
        assert_eq!(run.applicant_id.as_deref(), Some("520d3d08-c600-4458-abf3-d0e91cff2735"));
        let link = run.link.unwrap();
        assert!(link.url.unwrap().starts_with("https://eu.onfido.app/l/"));
        assert_eq!(link.expires_at, None);
    }

    #[test]
    fn wrong_types_count_as_absent() {
        let run: WorkflowRun = serde_json::from_str(
            r#"{"id": 7, "status": ["approved"], "link": "x", "reasons": "r"}"#,
        )
        .unwrap();
        assert!(run.id.is_none() && run.status.is_none() && run.link.is_none());
        assert!(run.reasons.is_none());
    }
}
