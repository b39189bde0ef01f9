//! A session's life after its link, through the real adapters on the emulator: an iDenfy
//! business (KYB) session followed end to end, results that are not final until a review
//! ends, events that are no decision, erasure with each vendor's refusals, and the refusals
//! of accounts that may not (out of funds, inactive, another environment, a forged answer), and
//! Sumsub in failover and routing.

mod support;

use std::time::Duration;

use kyc::{
    ClientId, Denial, ErrorKind, Outcome, SessionErasure, SessionRequest, Status, VerificationKind,
    VerificationResults, VerificationSession, WebhookEvent, WebhookVerifier,
};
use kyc_emulator::{Choice, DocumentExpiration, Emulator, Fault, FaultMode, Vendor};

fn request(client_id: &str) -> SessionRequest {
    SessionRequest::new(ClientId::new(client_id).unwrap())
}

/// Every webhook `received` holds now, each verified by `verifier`, in arrival order.
fn verified(received: &mut support::Received, verifier: &dyn WebhookVerifier) -> Vec<WebhookEvent> {
    let mut events = Vec::new();
    while let Ok((_, headers, body)) = received.try_recv() {
        events.push(verifier.verify_webhook(&headers, &body).expect("a signed webhook verifies"));
    }
    events
}

/// The next `count` webhooks, each verified, waiting for them (a click on the hosted page
/// delivers them after the page answers).
async fn arriving(
    received: &mut support::Received,
    verifier: &dyn WebhookVerifier,
    count: usize,
) -> Vec<WebhookEvent> {
    let mut events = Vec::new();
    while events.len() < count {
        let (_, headers, body) = tokio::time::timeout(Duration::from_secs(10), received.recv())
            .await
            .expect("the webhooks arrive")
            .expect("the receiver runs");
        events.push(verifier.verify_webhook(&headers, &body).expect("a signed webhook verifies"));
    }
    events
}

/// Each event's neutral status and finality (a notice has neither).
fn statuses(events: &[WebhookEvent]) -> Vec<Option<(Status, bool)>> {
    events.iter().map(|e| e.decision().map(|d| (d.status, d.is_final))).collect()
}

async fn emulator_sending_to(hooks: &str) -> kyc_emulator::RunningEmulator {
    Emulator::builder()
        .with_idenfy_webhook_url(format!("{hooks}/idenfy"))
        .with_veriff_webhook_url(format!("{hooks}/veriff"))
        .start()
        .await
        .unwrap()
}

#[tokio::test]
async fn an_idenfy_business_session_is_followed_by_its_company_id() {
    let (hooks, mut received) = support::webhook_receiver().await;
    let emulator = emulator_sending_to(&hooks).await;
    let idenfy = support::idenfy(&emulator).with_min_poll_interval(Duration::ZERO).build().unwrap();
    let webhooks = kyc::IdenfyWebhooks::from_vars(emulator.vars()).unwrap();

    let company = request("company-1").with_kind(VerificationKind::Business);
    let session = idenfy.create_session(&company).await.unwrap();
    assert_eq!(session.kind, VerificationKind::Business);
    let polled = idenfy.poll_decision(&session.reference()).await.unwrap().expect("a company");
    assert_eq!(
        (polled.status, polled.is_final, polled.kind),
        (Status::Created, false, session.kind)
    );

    // The person opens the link, submits the company's form on the hosted page, and iDenfy
    // approves it: KYB webhooks, in KYB shape, naming the company by the session's id.
    let page = reqwest::get(session.url.clone()).await.unwrap();
    assert!(page.status().is_success());
    let token = session.url.query_pairs().find(|(name, _)| name == "authToken").unwrap().1;
    let mut decide = session.url.clone();
    decide.set_path("/idenfy/decide");
    decide.set_query(None);
    let clicked = reqwest::Client::new()
        .post(decide)
        .form(&[("token", token.as_ref()), ("choice", "approve")])
        .send()
        .await
        .unwrap();
    assert!(clicked.status().is_success() || clicked.status().is_redirection());
    let events = arriving(&mut received, &webhooks, 2).await;
    assert_eq!(
        statuses(&events),
        [Some((Status::Submitted, false)), Some((Status::Approved, true))]
    );
    for event in &events {
        let decision = event.decision().unwrap();
        assert_eq!(
            (decision.session_id.as_str(), decision.kind),
            (session.id.as_str(), session.kind)
        );
        assert_eq!(decision.client_id.as_deref(), Some("company-1"));
    }
    let kinds: Vec<Option<&str>> = events.iter().map(WebhookEvent::event).collect();
    assert_eq!(kinds, [Some("COMPANY_SUBMIT"), Some("COMPANY_REVIEW")]);
    // Polled at the company endpoint, which the identity one would not know.
    let polled = idenfy.poll_decision(&session.reference()).await.unwrap().unwrap();
    assert_eq!((polled.status, polled.is_final), (Status::Approved, true));
    let as_identity = idenfy.poll_decision(&session.id.as_str().into()).await.unwrap_err();
    assert_ne!(as_identity.kind(), ErrorKind::Decode, "{as_identity}");

    // A declined company carries iDenfy's reason.
    let second = idenfy
        .create_session(&request("company-2").with_kind(VerificationKind::Business))
        .await
        .unwrap();
    emulator.decide(Vendor::Idenfy, &second.id, Choice::Decline).await.unwrap();
    let events = verified(&mut received, &webhooks);
    let declined = events.last().and_then(WebhookEvent::decision).unwrap();
    assert_eq!((declined.status, declined.is_final), (Status::Declined, true));
    assert!(declined.reason.as_ref().and_then(|r| r.code.as_deref()).is_some());

    // Erased: the company is deleted, and iDenfy says so in a webhook.
    idenfy.erase_session(&session.reference()).await.unwrap();
    let events = verified(&mut received, &webhooks);
    assert_eq!(statuses(&events), [Some((Status::Deleted, true))]);
    assert_eq!(events[0].session_id(), Some(session.id.as_str()));
    let gone = idenfy.poll_decision(&session.reference()).await.unwrap_err();
    assert_eq!((gone.kind(), gone.http_status()), (ErrorKind::Rejected, Some(404)));
    emulator.stop().await;
}

#[tokio::test]
async fn an_automatic_result_is_not_final_until_the_review_ends() {
    let (hooks, mut received) = support::webhook_receiver().await;
    let emulator = emulator_sending_to(&hooks).await;
    let idenfy = support::idenfy(&emulator).with_min_poll_interval(Duration::ZERO).build().unwrap();
    let veriff = support::veriff(&emulator).build().unwrap();
    let idenfy_webhooks = kyc::IdenfyWebhooks::from_vars(emulator.vars()).unwrap();
    let veriff_webhooks = kyc::VeriffWebhooks::from_vars(emulator.vars()).unwrap();

    let session = idenfy.create_session(&request("person-1")).await.unwrap();
    emulator.decide(Vendor::Idenfy, &session.id, Choice::ApproveAfterReview).await.unwrap();
    let events = verified(&mut received, &idenfy_webhooks);
    // The automatic result says approved already, but not final: the review may overturn it.
    assert_eq!(
        statuses(&events),
        [Some((Status::Approved, false)), Some((Status::Approved, true))],
        "the automatic result, then the manual one"
    );
    let kinds: Vec<Option<&str>> = events.iter().map(WebhookEvent::event).collect();
    assert_eq!(
        kinds,
        [Some("IDENTIFICATION_AUTO_FINISHED"), Some("IDENTIFICATION_MANUAL_FINISHED")]
    );
    let polled = idenfy.poll_decision(&session.reference()).await.unwrap().unwrap();
    assert_eq!((polled.status, polled.is_final), (Status::Approved, true));

    let session = veriff.create_session(&request("person-2")).await.unwrap();
    emulator.decide(Vendor::Veriff, &session.id, Choice::DeclineAfterReview).await.unwrap();
    let events = verified(&mut received, &veriff_webhooks);
    assert_eq!(
        statuses(&events),
        [
            Some((Status::Submitted, false)),
            Some((Status::Review, false)),
            Some((Status::Declined, true))
        ]
    );
    emulator.stop().await;
}

#[tokio::test]
async fn an_event_that_is_no_decision_is_a_verified_notice() {
    let (hooks, mut received) = support::webhook_receiver().await;
    let emulator = emulator_sending_to(&hooks).await;
    let idenfy = support::idenfy(&emulator).build().unwrap();
    let webhooks = kyc::IdenfyWebhooks::from_vars(emulator.vars()).unwrap();
    let session = idenfy.create_session(&request("person-3")).await.unwrap();
    emulator.decide(Vendor::Idenfy, &session.id, Choice::Approve).await.unwrap();
    verified(&mut received, &webhooks);

    emulator
        .notify_document_expiration(&session.id, DocumentExpiration::Within7Days)
        .await
        .unwrap();
    let events = verified(&mut received, &webhooks);
    let [WebhookEvent::Notice(notice)] = events.as_slice() else { panic!("{events:?}") };
    assert_eq!(notice.event, "DOCUMENT_EXPIRATION");
    assert_eq!(notice.session_id.as_deref(), Some(session.id.as_str()));
    assert_eq!(notice.client_id.as_deref(), Some("person-3"));
    assert_eq!(notice.payload["expirationThreshold"], "DOCUMENT_EXPIRES_WITHIN_7_DAYS");
    emulator.stop().await;
}

#[tokio::test]
async fn idenfy_erases_once_the_link_is_spent() {
    let emulator = support::emulator().await;
    let idenfy = support::idenfy(&emulator).with_min_poll_interval(Duration::ZERO).build().unwrap();
    let session = idenfy.create_session(&request("person-4")).await.unwrap();

    // The link can still be used: refused for now, with iDenfy's own code.
    let early = idenfy.erase_session(&session.reference()).await.unwrap_err();
    assert_eq!((early.kind(), early.outcome()), (ErrorKind::Conflict, Outcome::Rejected));
    assert_eq!(early.vendor_code(), Some("PARTNER_ERROR"));
    assert!(!early.is_retryable(), "not now: once the state has changed");

    emulator.decide(Vendor::Idenfy, &session.id, Choice::Approve).await.unwrap();
    idenfy.erase_session(&session.reference()).await.unwrap();
    let polled = idenfy.poll_decision(&session.reference()).await.unwrap().unwrap();
    assert_eq!(polled.status, Status::Deleted);
    emulator.stop().await;
}

#[tokio::test]
async fn veriff_erases_within_its_quota_and_when_enabled() {
    let emulator = support::emulator().await;
    let veriff = support::veriff(&emulator).build().unwrap();
    let session = veriff.create_session(&request("person-5")).await.unwrap();
    emulator.decide(Vendor::Veriff, &session.id, Choice::Approve).await.unwrap();
    veriff.erase_session(&session.reference()).await.unwrap();
    let gone = veriff.poll_decision(&session.reference()).await.unwrap_err();
    assert_eq!(gone.http_status(), Some(404), "{gone}");

    // Under review: not a completed session yet.
    let sixth = veriff.create_session(&request("person-6")).await.unwrap();
    let slow =
        Emulator::builder().with_review_time(Duration::from_secs(3600)).start().await.unwrap();
    let slow_veriff = support::veriff(&slow).build().unwrap();
    let pending = slow_veriff.create_session(&request("person-6")).await.unwrap();
    slow.decide(Vendor::Veriff, &pending.id, Choice::ApproveAfterReview).await.unwrap();
    let refused = slow_veriff.erase_session(&pending.reference()).await.unwrap_err();
    assert_eq!((refused.kind(), refused.vendor_code()), (ErrorKind::Conflict, Some("1305")));
    slow.stop().await;

    // Five an hour: the sixth waits.
    for n in 0..4 {
        let next = veriff.create_session(&request(&format!("quota-{n}"))).await.unwrap();
        veriff.erase_session(&next.reference()).await.unwrap();
    }
    let over = veriff.erase_session(&sixth.reference()).await.unwrap_err();
    assert_eq!((over.kind(), over.http_status()), (ErrorKind::RateLimited, Some(429)));

    // Veriff enables deletion on request only.
    let disabled = Emulator::builder().with_veriff_deletion(false).start().await.unwrap();
    let veriff = support::veriff(&disabled).build().unwrap();
    let session = veriff.create_session(&request("person-7")).await.unwrap();
    let error = veriff.erase_session(&session.reference()).await.unwrap_err();
    assert_eq!(
        (error.kind(), error.denial()),
        (ErrorKind::Forbidden, Some(Denial::FeatureNotEnabled))
    );
    // Veriff has no business sessions to erase: refused before sending.
    let before = disabled.requests_received(Vendor::Veriff);
    let company = veriff.erase_session(&kyc::SessionRef::business("c-1")).await.unwrap_err();
    assert_eq!(company.kind(), ErrorKind::Unsupported);
    assert_eq!(disabled.requests_received(Vendor::Veriff), before);
    disabled.stop().await;
    emulator.stop().await;
}

#[tokio::test]
async fn accounts_that_may_not_are_told_apart_and_failover_moves_on() {
    let emulator = support::emulator().await;
    let idenfy = support::idenfy(&emulator).build().unwrap();
    let cases = [
        (FaultMode::OutOfFunds, ErrorKind::OutOfFunds, None),
        (FaultMode::PartnerInactive, ErrorKind::Forbidden, Some(Denial::AccountInactive)),
        (FaultMode::WrongEnvironment, ErrorKind::Forbidden, Some(Denial::WrongEnvironment)),
    ];
    for (mode, kind, denial) in cases {
        emulator.set_fault(Vendor::Idenfy, Fault::mode(mode).times(1));
        let error = idenfy.create_session(&request("person-8")).await.unwrap_err();
        assert_eq!(
            (error.kind(), error.denial(), error.outcome()),
            (kind, denial, Outcome::Rejected),
            "{mode:?}"
        );
        // Nothing was created: another vendor serves the person.
        emulator.set_fault(Vendor::Idenfy, Fault::mode(mode).times(1));
        let veriff = std::sync::Arc::new(support::veriff(&emulator).build().unwrap());
        let chain = kyc::Failover::new(vec![std::sync::Arc::new(idenfy.clone()) as _, veriff as _]);
        let session = chain.create_session(&request("person-8")).await.unwrap();
        assert_eq!(session.provider, "veriff", "{mode:?}");
        assert!(!session.attempts[0].may_have_created_session);
    }
    // Wrong credentials at iDenfy come with no identifier, and are still refused credentials.
    let wrong = kyc::Idenfy::builder("not-the-key", "not-the-secret")
        .with_base_url(emulator.idenfy_base_url())
        .build()
        .unwrap();
    let error = wrong.create_session(&request("person-9")).await.unwrap_err();
    assert_eq!((error.kind(), error.vendor_code()), (ErrorKind::Unauthenticated, None));
    emulator.stop().await;
}

#[tokio::test]
async fn a_forged_veriff_answer_says_a_session_may_exist() {
    let emulator = support::emulator().await;
    let veriff = support::veriff(&emulator).build().unwrap();
    emulator.set_fault(Vendor::Veriff, Fault::mode(FaultMode::ForgedSignature).times(1));
    let error = veriff.create_session(&request("person-10")).await.unwrap_err();
    assert_eq!((error.kind(), error.outcome()), (ErrorKind::InvalidSignature, Outcome::Unknown));
    assert!(error.outcome().may_have_created_session());
    // The emulator's genuine answers verify.
    assert!(veriff.create_session(&request("person-10")).await.is_ok());
    emulator.stop().await;
}

#[tokio::test]
async fn sumsub_takes_its_place_in_failover_and_routing() {
    use std::sync::Arc;
    let emulator = support::emulator().await;
    let idenfy: Arc<dyn VerificationSession> =
        Arc::new(support::idenfy(&emulator).build().unwrap());
    let veriff: Arc<dyn VerificationSession> =
        Arc::new(support::veriff(&emulator).build().unwrap());
    let sumsub: Arc<dyn VerificationSession> =
        Arc::new(kyc::SumsubBuilder::from_vars(emulator.vars()).unwrap().build().unwrap());

    // Last in the chain: it serves once the two before it are down.
    emulator.set_fault(Vendor::Idenfy, Fault::status(503).times(1));
    emulator.set_fault(Vendor::Veriff, Fault::status(503).times(1));
    let chain =
        kyc::Failover::new(vec![Arc::clone(&idenfy), Arc::clone(&veriff), Arc::clone(&sumsub)])
            .with_policy(kyc::FailoverPolicy::default().with_max_retries(0));
    let session = chain.create_session(&request("person-11")).await.unwrap();
    assert_eq!((session.provider.as_str(), session.id.as_str()), ("sumsub", "person-11"));
    let tried: Vec<&str> = session.attempts.iter().map(|a| a.provider.as_str()).collect();
    assert_eq!(tried, ["idenfy", "veriff", "sumsub"]);

    // Routed by language; a business session goes where a company level is configured.
    let router = kyc::Router::new(Arc::clone(&idenfy))
        .with_route(kyc::Rule::any().with_locales([kyc::Locale::Ka]), Arc::clone(&sumsub));
    let georgian = request("person-12").with_locale(kyc::Locale::Ka);
    assert_eq!(router.create_session(&georgian).await.unwrap().provider, "sumsub");
    assert_eq!(router.create_session(&request("person-13")).await.unwrap().provider, "idenfy");
    emulator.stop().await;
}
