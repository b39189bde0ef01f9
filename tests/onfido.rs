//! The Onfido adapter against the emulator (written from Onfido's documents, not from the
//! adapter): the conformance suite, every outcome of the hosted page polled and received as
//! signed webhooks, the half-done session provoked by a fault on either call, erasure, and
//! failover and routing among the four vendors.

mod support;

use std::sync::Arc;
use std::time::Duration;

use kyc::{
    ClientId, ErrorKind, Failover, FailoverPolicy, LeftoverState, Outcome, Person, SessionErasure,
    SessionRequest, Status, VerificationResults, VerificationSession, WebhookVerifier,
};
use kyc_core::conformance::{self, RequestCounter};
use kyc_emulator::{Choice, Emulator, Fault, FaultMode, RunningEmulator, Vendor};

fn onfido(emulator: &RunningEmulator) -> kyc::Onfido {
    kyc::OnfidoBuilder::from_vars(emulator.vars()).unwrap().build().unwrap()
}

fn request(client_id: &str) -> SessionRequest {
    SessionRequest::new(ClientId::new(client_id).unwrap())
        .with_person(Person::default().with_first_name("Jane").with_last_name("Doe"))
}

/// Counts creations by their first call (the applicant), as the adapter's own tests do.
struct Applicants<'a>(&'a RunningEmulator);

#[async_trait::async_trait]
impl RequestCounter for Applicants<'_> {
    async fn requests_received(&self) -> usize {
        // Every other Onfido request the suite makes is the run that follows an applicant.
        (self.0.requests_received(Vendor::Onfido) as usize).div_ceil(2)
    }
}

#[tokio::test]
async fn passes_the_conformance_suite_against_the_emulator() {
    let emulator = Emulator::builder().start().await.unwrap();
    let onfido = onfido(&emulator);
    conformance::run(&onfido, &Applicants(&emulator)).await;
    conformance::refuses_erasure_it_does_not_offer(&onfido, &onfido, &Applicants(&emulator)).await;
    assert_eq!(emulator.requests_received(Vendor::Onfido) % 2, 0, "an applicant, then its run");
}

#[tokio::test]
async fn every_outcome_reads_back_polled_and_as_signed_webhooks() -> Result<(), kyc::Error> {
    let (hooks, mut received) = support::webhook_receiver().await;
    let emulator = Emulator::builder()
        .with_onfido_webhook_url(format!("{hooks}/onfido"))
        .start()
        .await
        .map_err(kyc_emulator::EmulatorError::from)?;
    let onfido = onfido(&emulator);
    let webhooks = kyc::OnfidoWebhooks::from_vars(emulator.vars())?;
    let cases = [
        (Choice::Approve, Status::Approved),
        (Choice::Decline, Status::Declined),
        (Choice::Review, Status::Review),
        (Choice::Abandon, Status::Abandoned),
        (Choice::Expire, Status::Abandoned),
        (Choice::Fail, Status::Failed),
    ];
    for (n, (choice, status)) in cases.into_iter().enumerate() {
        assert!(choice.is_offered_by(Vendor::Onfido));
        let session = onfido.create_session(&request(&format!("onfido-person-{n}"))).await?;
        let polled = onfido.poll_decision(&session.reference()).await?.expect("a run");
        assert_eq!((polled.status, polled.is_final), (Status::Created, false), "{choice:?}");
        emulator.decide(Vendor::Onfido, &session.id, choice).await?;
        let decision = onfido.poll_decision(&session.reference()).await?.expect("a run");
        assert_eq!((decision.status, decision.is_final), (status, true), "{choice:?}");
        assert_eq!(decision.client_id.as_deref(), Some(format!("onfido-person-{n}").as_str()));
        if status == Status::Failed {
            assert!(decision.reason.is_some(), "the run's error is the reason");
        }
        // The webhooks: task notices on the run, then its completion, all verified.
        let mut completed = Vec::new();
        while let Ok((vendor, headers, body)) = received.try_recv() {
            assert_eq!(vendor, "onfido");
            let event = webhooks.verify_webhook(&headers, &body)?;
            assert_eq!(event.session_id(), Some(session.id.as_str()), "{choice:?}");
            assert_eq!(onfido.verify_webhook(&headers, &body)?, event);
            if let Some(decision) = event.decision() {
                completed.push((decision.status, decision.is_final));
            }
        }
        assert_eq!(completed, [(status, true)], "{choice:?}");
    }
    // Another vendor's outcome is refused, and nothing is sent.
    let session = onfido.create_session(&request("onfido-person-x")).await?;
    assert!(emulator.decide(Vendor::Onfido, &session.id, Choice::Resubmit).await.is_err());
    assert!(emulator.decide(Vendor::Idenfy, &session.id, Choice::Review).await.is_err());
    Ok(())
}

#[tokio::test]
async fn a_fault_on_the_second_call_leaves_no_applicant_behind() {
    let emulator = Emulator::builder().start().await.unwrap();
    let onfido = onfido(&emulator);

    // Refused: the applicant is deleted, nothing remains, failover may move on.
    emulator.set_fault(Vendor::Onfido, Fault::status(422).on_route("POST /workflow_runs"));
    let error = onfido.create_session(&request("half-1")).await.unwrap_err();
    assert_eq!(error.outcome(), Outcome::Rejected, "{error}");
    let leftover = error.leftover().expect("the applicant is named");
    assert!(matches!(leftover.state(), LeftoverState::Deleted), "{error}");
    // Deleted at the emulator: its runs list is empty and it reads as unknown.
    let id = leftover.id().to_owned();
    let url = format!("{}/applicants/{id}", emulator.onfido_base_url());
    let token = format!("Token token={}", emulator.onfido_api_token());
    let answer = reqwest::Client::new().get(&url).header("authorization", &token).send().await;
    assert_eq!(answer.unwrap().status().as_u16(), 404);

    // A 500 with no run listed: asked, then deleted; the outcome is known after all.
    emulator.set_fault(Vendor::Onfido, Fault::status(500).on_route("POST /workflow_runs"));
    let error = onfido.create_session(&request("half-2")).await.unwrap_err();
    assert_eq!((error.kind(), error.outcome()), (ErrorKind::Unavailable, Outcome::Rejected));
    assert!(matches!(error.leftover().unwrap().state(), LeftoverState::Deleted));

    // The answer to the run is lost: the run exists, so the applicant is kept, and the error
    // says a session may exist.
    emulator.set_fault(
        Vendor::Onfido,
        Fault::mode(FaultMode::AnswerLost).on_route("POST /workflow_runs"),
    );
    let impatient = kyc::OnfidoBuilder::from_vars(emulator.vars())
        .unwrap()
        .with_timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    let error = impatient.create_session(&request("half-3")).await.unwrap_err();
    assert_eq!((error.kind(), error.outcome()), (ErrorKind::Timeout, Outcome::Unknown));
    assert!(!error.is_safe_to_resend());
    let leftover = error.leftover().unwrap();
    assert!(matches!(leftover.state(), LeftoverState::Kept));
    emulator.clear_fault(Vendor::Onfido);
    let url =
        format!("{}/workflow_runs?applicant_id={}", emulator.onfido_base_url(), leftover.id());
    let runs: serde_json::Value = reqwest::Client::new()
        .get(&url)
        .header("authorization", &token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(runs.as_array().map(Vec::len), Some(1), "the run was created: {runs}");

    // A fault on the first call: nothing was made, nothing is named.
    emulator.set_fault(Vendor::Onfido, Fault::status(503).on_route("POST /applicants"));
    let error = onfido.create_session(&request("half-4")).await.unwrap_err();
    assert_eq!((error.kind(), error.outcome()), (ErrorKind::Unavailable, Outcome::Rejected));
    assert!(error.leftover().is_none());
}

#[tokio::test]
async fn erasure_deletes_the_applicant_and_its_runs() {
    let emulator = Emulator::builder().start().await.unwrap();
    let onfido = onfido(&emulator);
    let session = onfido.create_session(&request("erased")).await.unwrap();
    emulator.decide(Vendor::Onfido, &session.id, Choice::Approve).await.unwrap();
    onfido.erase_session(&session.reference()).await.unwrap();
    // Gone: the run reads as not found, and erasing again says so.
    let error = onfido.poll_decision(&session.reference()).await.unwrap_err();
    assert_eq!((error.kind(), error.http_status()), (ErrorKind::Rejected, Some(404)), "{error}");
    assert!(onfido.erase_session(&session.reference()).await.is_err());
}

#[tokio::test]
async fn wrong_credentials_and_workflows_are_refused_as_such() {
    let emulator = Emulator::builder().start().await.unwrap();
    let mut vars = emulator.vars();
    for (name, value) in &mut vars {
        if *name == "ONFIDO_API_TOKEN" {
            *value = "api_sandbox.not-the-token".into();
        }
    }
    let wrong = kyc::OnfidoBuilder::from_vars(vars).unwrap().build().unwrap();
    let error = wrong.create_session(&request("u1")).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Unauthenticated);
    assert!(error.to_string().contains("another region"), "{error}");

    let other_workflow = kyc::OnfidoOptions::default()
        .with_workflow_id("00000000-0000-4000-8000-000000000000".into());
    let error = onfido(&emulator)
        .create_session(&request("u2").with_options(other_workflow))
        .await
        .unwrap_err();
    assert_eq!((error.kind(), error.outcome()), (ErrorKind::Rejected, Outcome::Rejected));
    assert!(error.to_string().contains("workflow"), "{error}");
    assert!(matches!(error.leftover().unwrap().state(), LeftoverState::Deleted), "{error}");
}

/// A half-done Onfido session in a chain: nothing billable exists, so the next vendor serves,
/// and the trail still says what became of the applicant.
#[tokio::test]
async fn failover_moves_on_after_a_half_done_session_and_keeps_its_leftover() {
    let emulator = Emulator::builder().start().await.unwrap();
    let veriff: Arc<dyn VerificationSession> =
        Arc::new(kyc::VeriffBuilder::from_vars(emulator.vars()).unwrap().build().unwrap());
    let chain = Failover::new(vec![Arc::new(onfido(&emulator)) as _, veriff])
        .with_policy(FailoverPolicy::default().with_max_retries(0));
    emulator.set_fault(Vendor::Onfido, Fault::status(503).on_route("POST /workflow_runs"));
    let session = chain.create_session(&request("half-done-chain")).await.unwrap();
    assert_eq!(session.provider, "veriff");
    let first = &session.attempts[0];
    assert_eq!((first.provider.as_str(), first.may_have_created_session), ("onfido", false));
    let leftover = first.leftover.as_ref().expect("the applicant is in the trail");
    assert_eq!(leftover.resource(), "applicant");
    assert!(!leftover.remains());
}

/// Four vendors in a chain: Onfido serves when the others cannot, and is passed over, unsent,
/// for a request without names.
#[tokio::test]
async fn failover_and_routing_reach_onfido() {
    let emulator = Emulator::builder().start().await.unwrap();
    let vars = emulator.vars();
    let idenfy: Arc<dyn VerificationSession> =
        Arc::new(kyc::IdenfyBuilder::from_vars(vars.clone()).unwrap().build().unwrap());
    let veriff: Arc<dyn VerificationSession> =
        Arc::new(kyc::VeriffBuilder::from_vars(vars.clone()).unwrap().build().unwrap());
    let sumsub: Arc<dyn VerificationSession> =
        Arc::new(kyc::SumsubBuilder::from_vars(vars.clone()).unwrap().build().unwrap());
    let onfido: Arc<dyn VerificationSession> = Arc::new(onfido(&emulator));
    let chain = Failover::new(vec![idenfy, veriff, sumsub, Arc::clone(&onfido)])
        .with_policy(FailoverPolicy::default().with_max_retries(0));
    for vendor in [Vendor::Idenfy, Vendor::Veriff, Vendor::Sumsub] {
        emulator.set_fault(vendor, Fault::status(503));
    }
    // Sumsub takes no names: it is passed over unsent; the others are down.
    let session = chain.create_session(&request("chained")).await.unwrap();
    assert_eq!(session.provider, "onfido");
    assert_eq!(session.attempts.len(), 4, "{:?}", session.attempts);
    assert_eq!(emulator.requests_received(Vendor::Sumsub), 0);

    // Without names Onfido cannot serve: with the others down, the chain says so, and Onfido
    // was sent nothing.
    let before = emulator.requests_received(Vendor::Onfido);
    let nameless = SessionRequest::new(ClientId::new("nameless").unwrap());
    let error = chain.create_session(&nameless).await.unwrap_err();
    assert_eq!(emulator.requests_received(Vendor::Onfido), before);
    assert!(error.to_string().contains("after"), "{error}");

    // A router sends what Onfido cannot serve elsewhere.
    for vendor in [Vendor::Idenfy, Vendor::Veriff, Vendor::Sumsub] {
        emulator.clear_fault(vendor);
    }
    let veriff: Arc<dyn VerificationSession> =
        Arc::new(kyc::VeriffBuilder::from_vars(vars).unwrap().build().unwrap());
    let router = kyc::Router::new(Arc::clone(&veriff))
        .with_split(kyc::Rule::any(), [(Arc::clone(&onfido), 1), (veriff, 1)]);
    let mut served = Vec::new();
    for n in 0..6 {
        let named = request(&format!("routed-{n}"));
        served.push(router.create_session(&named).await.unwrap().provider);
        let nameless = SessionRequest::new(ClientId::new(format!("routed-{n}")).unwrap());
        assert_eq!(router.create_session(&nameless).await.unwrap().provider, "veriff");
    }
    assert!(served.iter().any(|provider| provider == "onfido"), "{served:?}");
}
