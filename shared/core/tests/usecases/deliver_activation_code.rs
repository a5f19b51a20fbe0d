//! `DeliverActivationCode`: a code (ours or the network's) on the OTP queue,
//! only as key-service ciphertext; a code in force is re-sent as it is.

use time::Duration;
use tmp_core::AppError;
use tmp_core::domain::activation_code::{CodePolicy, CodeSource, IssuedCode};
use tmp_core::domain::decision::Decision;
use tmp_core::domain::delivery::DeliveryChannel;
use tmp_core::domain::token::TokenStatus;
use tmp_core::ports::StoredCode;
use tmp_core::secret::Secret;
use tmp_core::usecases::deliver_activation_code::{DeliverActivationCodeCommand, OPERATION};

use crate::support::{PAN, TOKEN, World, message, token_record};

fn command(request_id: &str, channel: DeliveryChannel) -> DeliverActivationCodeCommand {
    DeliverActivationCodeCommand {
        message: message(request_id, &[TOKEN, &format!("{channel:?}")]),
        token_ref: TOKEN.to_owned(),
        channel,
        code: None,
        expires_at: None,
        expires_at_field: "expirationDateTime",
        resend_same_code: true,
    }
}

fn network_command(
    request_id: &str,
    code: &str,
    expires_at: Option<time::OffsetDateTime>,
) -> DeliverActivationCodeCommand {
    DeliverActivationCodeCommand {
        code: Some(Secret::new(code.to_owned())),
        expires_at,
        ..command(request_id, DeliveryChannel::Sms)
    }
}

/// A world with [`TOKEN`] awaiting additional authentication (a yellow
/// decision), its cardholder speaking French.
fn world() -> World {
    world_with(World::default())
}

/// `world` with [`TOKEN`] seeded as in [`world`].
fn world_with(world: World) -> World {
    let mut record = token_record(TOKEN, TokenStatus::Inactive, Some(world.fingerprint(PAN)));
    record.language = Some("fr".to_owned());
    record.authorization_decision = Some(Decision::RequireAdditionalAuthentication);
    world.state.seed_token(record, None);
    world
}

/// `code` as it is after `sends` deliveries in all.
fn sent(code: &StoredCode, sends: u32) -> StoredCode {
    StoredCode {
        issued: IssuedCode {
            sends,
            ..code.issued.clone()
        },
        ..code.clone()
    }
}

/// Asserts that the refused request `request_id` left no trace.
fn refused_without_trace(world: &World, request_id: &str, code: Option<&StoredCode>, jobs: usize) {
    assert_eq!(
        world.ledger_state(OPERATION, request_id),
        None,
        "claim released"
    );
    assert_eq!(world.state.code_of(TOKEN).as_ref(), code);
    assert_eq!(world.otp_queue.jobs().len(), jobs);
}

#[tokio::test]
async fn a_generated_code_is_queued_sealed_with_its_expiry() {
    // GIVEN a token awaiting activation, codes of 8 digits valid 10 minutes
    let world = world();
    // WHEN the network asks us to deliver a code by SMS
    world
        .deliver_activation_code()
        .deliver(&command("r1", DeliveryChannel::Sms))
        .await
        .unwrap();
    // THEN one job is queued for the token, in the cardholder's language
    let jobs = world.otp_queue.jobs();
    assert_eq!(jobs.len(), 1);
    let job = &jobs[0];
    assert_eq!(job.token_unique_reference, TOKEN);
    assert_eq!(job.channel, DeliveryChannel::Sms);
    assert_eq!(job.language.as_deref(), Some("fr"));
    assert_eq!(job.source_request_id.as_deref(), Some("r1"));
    assert_eq!(job.expires_at, "2026-11-26T10:10:00Z");
    // AND the code travels only as ciphertext the vault opens under the token's context
    let code = world.open_job_code(job).await;
    assert_eq!(code.len(), 8);
    assert!(code.bytes().all(|b| b.is_ascii_digit()));
    assert!(!job.encrypted_code.contains(&code));
    // AND it is stored as its MAC, fresh, ours
    let stored = world.state.code_of(TOKEN).unwrap();
    assert_eq!(stored.issued.mac, world.code_mac(TOKEN, &code));
    assert_eq!(stored.issued.source, CodeSource::Issuer);
    assert_eq!(
        stored.issued.expires_at,
        world.now() + Duration::minutes(10)
    );
    assert_eq!((stored.issued.attempts, stored.issued.max_attempts), (0, 3));
    assert!(!stored.issued.used);
    // AND it is the token's first code, sent once
    assert_eq!((stored.issued.generation, stored.issued.sends), (1, 1));
    // AND the request is completed
    assert_eq!(
        world.ledger_state(OPERATION, "r1").as_deref(),
        Some("COMPLETED")
    );
}

#[tokio::test]
async fn a_network_code_is_queued_with_the_network_expiry() {
    let world = world();
    let expires = world.now() + Duration::minutes(5);
    world
        .deliver_activation_code()
        .deliver(&network_command("r1", "123456", Some(expires)))
        .await
        .unwrap();
    let job = &world.otp_queue.jobs()[0];
    assert_eq!(world.open_job_code(job).await, "123456");
    assert_eq!(job.expires_at, "2026-11-26T10:05:00Z");
    let stored = world.state.code_of(TOKEN).unwrap();
    assert_eq!(stored.issued.source, CodeSource::Network);
    assert_eq!(stored.issued.mac, world.code_mac(TOKEN, "123456"));
    assert_eq!(stored.issued.expires_at, expires);
    assert_eq!((stored.issued.generation, stored.issued.sends), (1, 1));
}

#[tokio::test]
async fn a_network_code_without_expiry_gets_the_policy_validity() {
    let world = world();
    world
        .deliver_activation_code()
        .deliver(&network_command("r1", "654321", None))
        .await
        .unwrap();
    assert_eq!(world.otp_queue.jobs()[0].expires_at, "2026-11-26T10:10:00Z");
}

#[tokio::test]
async fn a_re_request_while_the_code_is_in_force_re_sends_it_unchanged() {
    // GIVEN a code delivered 2 minutes ago
    let world = world();
    let deliver = world.deliver_activation_code();
    deliver
        .deliver(&command("r1", DeliveryChannel::Sms))
        .await
        .unwrap();
    let before = world.state.code_of(TOKEN).unwrap();
    world.clock.advance(Duration::minutes(2));
    // WHEN the cardholder asks again, by e-mail this time
    deliver
        .deliver(&command("r2", DeliveryChannel::Email))
        .await
        .unwrap();
    // THEN the same ciphertext and expiry go out: neither regenerated nor extended
    let jobs = world.otp_queue.jobs();
    assert_eq!(jobs.len(), 2);
    assert_eq!(jobs[1].channel, DeliveryChannel::Email);
    assert_eq!(jobs[1].encrypted_code, jobs[0].encrypted_code);
    assert_eq!(jobs[1].expires_at, jobs[0].expires_at);
    assert_ne!(jobs[1].job_id, jobs[0].job_id);
    // AND the stored code is the same one, its second send counted
    assert_eq!(world.state.code_of(TOKEN).unwrap(), sent(&before, 2));
    assert_eq!(
        world.ledger_state(OPERATION, "r2").as_deref(),
        Some("COMPLETED")
    );
}

#[tokio::test]
async fn an_expired_code_is_replaced_on_re_request() {
    let world = world();
    let deliver = world.deliver_activation_code();
    deliver
        .deliver(&command("r1", DeliveryChannel::Sms))
        .await
        .unwrap();
    world.clock.advance(Duration::minutes(11));
    deliver
        .deliver(&command("r2", DeliveryChannel::Sms))
        .await
        .unwrap();
    let jobs = world.otp_queue.jobs();
    assert_ne!(jobs[1].encrypted_code, jobs[0].encrypted_code);
    assert_eq!(jobs[1].expires_at, "2026-11-26T10:21:00Z");
    let code = world.open_job_code(&jobs[1]).await;
    let stored = world.state.code_of(TOKEN).unwrap();
    assert_eq!(stored.issued.mac, world.code_mac(TOKEN, &code));
    // AND it is the token's second code, sent once
    assert_eq!((stored.issued.generation, stored.issued.sends), (2, 1));
}

#[tokio::test]
async fn a_retried_request_is_not_delivered_twice() {
    let world = world();
    let deliver = world.deliver_activation_code();
    let first = command("r1", DeliveryChannel::Sms);
    deliver.deliver(&first).await.unwrap();
    deliver.deliver(&first).await.unwrap();
    assert_eq!(world.otp_queue.attempts(), 1);
    assert_eq!(world.otp_queue.jobs().len(), 1);
}

#[tokio::test]
async fn an_unknown_token_is_refused_and_the_claim_released() {
    let world = World::default();
    let result = world
        .deliver_activation_code()
        .deliver(&command("r1", DeliveryChannel::Sms))
        .await;
    assert_eq!(result, Err(AppError::UnknownToken));
    assert_eq!(world.ledger_state(OPERATION, "r1"), None);
    assert!(world.otp_queue.jobs().is_empty());
    assert!(world.state.code_of(TOKEN).is_none());
}

#[tokio::test]
async fn a_queue_outage_is_unavailable_and_the_retry_delivers_the_same_code() {
    // GIVEN the OTP queue is down
    let world = world();
    world.otp_queue.fail(true);
    let deliver = world.deliver_activation_code();
    let request = command("r1", DeliveryChannel::Sms);
    // WHEN a code is asked for
    let result = deliver.deliver(&request).await;
    // THEN Unavailable, the claim released, nothing queued
    assert!(matches!(result, Err(AppError::Unavailable(_))));
    assert_eq!(world.ledger_state(OPERATION, "r1"), None);
    assert!(world.otp_queue.jobs().is_empty());
    let issued = world.state.code_of(TOKEN).unwrap();
    assert_eq!((issued.issued.generation, issued.issued.sends), (1, 1));
    // WHEN the queue is back and the network retries
    world.otp_queue.fail(false);
    deliver.deliver(&request).await.unwrap();
    // THEN the code issued by the first attempt goes out, and the request completes
    let jobs = world.otp_queue.jobs();
    assert_eq!(jobs.len(), 1);
    let code = world.open_job_code(&jobs[0]).await;
    assert_eq!(issued.issued.mac, world.code_mac(TOKEN, &code));
    // (re-sent as the code in force: the lost send is counted too)
    assert_eq!(world.state.code_of(TOKEN).unwrap(), sent(&issued, 2));
    assert_eq!(world.otp_queue.attempts(), 2);
    assert_eq!(
        world.ledger_state(OPERATION, "r1").as_deref(),
        Some("COMPLETED")
    );
}

#[tokio::test]
async fn a_mac_or_key_service_outage_stores_nothing() {
    let world = world();
    world.mac.fail(true);
    let result = world
        .deliver_activation_code()
        .deliver(&command("r1", DeliveryChannel::Sms))
        .await;
    assert!(matches!(result, Err(AppError::Unavailable(_))));
    world.mac.fail(false);
    world.vault.fail(true);
    let result = world
        .deliver_activation_code()
        .deliver(&command("r1", DeliveryChannel::Sms))
        .await;
    assert!(matches!(result, Err(AppError::Unavailable(_))));
    assert!(world.state.code_of(TOKEN).is_none());
    assert!(world.otp_queue.jobs().is_empty());
    assert_eq!(world.ledger_state(OPERATION, "r1"), None);
}

#[tokio::test]
async fn a_store_failure_while_issuing_is_unavailable_and_releases_the_claim() {
    let world = world();
    world.state.fail_next_commits(1);
    let deliver = world.deliver_activation_code();
    let request = command("r1", DeliveryChannel::Sms);
    let result = deliver.deliver(&request).await;
    assert!(matches!(result, Err(AppError::Unavailable(_))));
    assert!(world.state.code_of(TOKEN).is_none());
    assert_eq!(world.ledger_state(OPERATION, "r1"), None);
    deliver.deliver(&request).await.unwrap();
    assert_eq!(world.otp_queue.jobs().len(), 1);
}

#[tokio::test]
async fn a_token_authorized_green_gets_no_code() {
    // GIVEN a token awaiting activation that authorization approved outright
    // (or that we never authorized: a network stand-in)
    for decision in [Some(Decision::Approved), None] {
        let world = World::default();
        let mut record = token_record(TOKEN, TokenStatus::Inactive, Some(world.fingerprint(PAN)));
        record.authorization_decision = decision;
        world.state.seed_token(record, None);
        // WHEN the network asks us to deliver a code
        let result = world
            .deliver_activation_code()
            .deliver(&command("r1", DeliveryChannel::Sms))
            .await;
        // THEN refused: it is not awaiting authentication; nothing issued or queued
        assert_eq!(
            result,
            Err(AppError::NotAwaitingAuthentication),
            "{decision:?}"
        );
        refused_without_trace(&world, "r1", None, 0);
        // AND a network-supplied code is refused alike
        let result = world
            .deliver_activation_code()
            .deliver(&network_command("r2", "123456", None))
            .await;
        assert_eq!(
            result,
            Err(AppError::NotAwaitingAuthentication),
            "{decision:?}"
        );
        refused_without_trace(&world, "r2", None, 0);
    }
}

#[tokio::test]
async fn a_token_no_longer_inactive_gets_no_code() {
    for status in [
        TokenStatus::Active,
        TokenStatus::Suspended,
        TokenStatus::Deactivated,
        TokenStatus::Declined,
    ] {
        // GIVEN a token authorized yellow that has moved on since
        let world = World::default();
        world.seed_decided(status, Decision::RequireAdditionalAuthentication);
        // WHEN the network asks for a code
        let result = world
            .deliver_activation_code()
            .deliver(&command("r1", DeliveryChannel::Sms))
            .await;
        // THEN refused, nothing issued or queued
        assert_eq!(
            result,
            Err(AppError::NotAwaitingAuthentication),
            "{status:?}"
        );
        refused_without_trace(&world, "r1", None, 0);
    }
}

#[tokio::test]
async fn a_code_is_sent_at_most_three_times() {
    // GIVEN a code sent, then re-sent twice at the cardholder's request
    let world = world();
    let deliver = world.deliver_activation_code();
    for (i, request) in ["r1", "r2", "r3"].into_iter().enumerate() {
        world.clock.advance(Duration::minutes(1));
        deliver
            .deliver(&command(request, DeliveryChannel::Sms))
            .await
            .unwrap();
        let sends = world.state.code_of(TOKEN).unwrap().issued.sends;
        assert_eq!(sends, u32::try_from(i).unwrap() + 1);
    }
    let third = world.state.code_of(TOKEN).unwrap();
    assert_eq!(third.issued.generation, 1);
    // WHEN a fourth delivery is asked for while the code is in force
    world.clock.advance(Duration::minutes(1));
    let result = deliver
        .deliver(&command("r4", DeliveryChannel::Email))
        .await;
    // THEN the limit is reached: nothing sent, counted or replaced
    assert_eq!(
        result,
        Err(AppError::LimitReached("activation code resends"))
    );
    refused_without_trace(&world, "r4", Some(&third), 3);
    // AND the same code handed over by the network again is a resend too
    let code = world.open_job_code(&world.otp_queue.jobs()[0]).await;
    let result = deliver.deliver(&network_command("r5", &code, None)).await;
    assert_eq!(
        result,
        Err(AppError::LimitReached("activation code resends"))
    );
    refused_without_trace(&world, "r5", Some(&third), 3);
}

#[tokio::test]
async fn the_resend_limit_is_the_policy_s() {
    // GIVEN a policy of one send per code
    let defaults = World::default().code_policy;
    let world = world_with(World::default().with_code_policy(CodePolicy {
        max_sends: 1,
        ..defaults
    }));
    let deliver = world.deliver_activation_code();
    deliver
        .deliver(&command("r1", DeliveryChannel::Sms))
        .await
        .unwrap();
    // WHEN a resend is asked for THEN refused
    let result = deliver.deliver(&command("r2", DeliveryChannel::Sms)).await;
    assert_eq!(
        result,
        Err(AppError::LimitReached("activation code resends"))
    );
    assert_eq!(world.otp_queue.jobs().len(), 1);
}

#[tokio::test]
async fn a_token_gets_at_most_three_codes() {
    // GIVEN three codes issued in turn, each left to expire
    let world = world();
    let deliver = world.deliver_activation_code();
    for (i, request) in ["r1", "r2", "r3"].into_iter().enumerate() {
        deliver
            .deliver(&command(request, DeliveryChannel::Sms))
            .await
            .unwrap();
        let stored = world.state.code_of(TOKEN).unwrap();
        assert_eq!(
            (stored.issued.generation, stored.issued.sends),
            (u32::try_from(i).unwrap() + 1, 1)
        );
        world.clock.advance(Duration::minutes(11));
    }
    let last = world.state.code_of(TOKEN).unwrap();
    // WHEN a fourth is needed (the third expired)
    let result = deliver.deliver(&command("r4", DeliveryChannel::Sms)).await;
    // THEN the limit is reached: no new code, nothing queued
    assert_eq!(
        result,
        Err(AppError::LimitReached("activation codes for the token"))
    );
    refused_without_trace(&world, "r4", Some(&last), 3);
    // AND the network handing over a code of its own is a fourth code too
    let result = deliver
        .deliver(&network_command("r5", "123456", None))
        .await;
    assert_eq!(
        result,
        Err(AppError::LimitReached("activation codes for the token"))
    );
    refused_without_trace(&world, "r5", Some(&last), 3);
}

#[tokio::test]
async fn a_network_code_other_than_ours_replaces_it() {
    // GIVEN our code in force
    let world = world();
    let deliver = world.deliver_activation_code();
    deliver
        .deliver(&command("r1", DeliveryChannel::Sms))
        .await
        .unwrap();
    let ours = world.state.code_of(TOKEN).unwrap();
    // WHEN the network hands over a code of its own
    let expires = world.now() + Duration::minutes(5);
    deliver
        .deliver(&network_command("r2", "123456", Some(expires)))
        .await
        .unwrap();
    // THEN the network's code is the one in force: a new generation, sent once
    let stored = world.state.code_of(TOKEN).unwrap();
    assert_eq!(stored.issued.source, CodeSource::Network);
    assert_eq!(stored.issued.mac, world.code_mac(TOKEN, "123456"));
    assert_eq!(stored.issued.expires_at, expires);
    assert_eq!((stored.issued.generation, stored.issued.sends), (2, 1));
    assert_eq!((stored.issued.attempts, stored.issued.used), (0, false));
    assert_ne!(stored.issued.mac, ours.issued.mac);
    // AND that is what goes out
    let jobs = world.otp_queue.jobs();
    assert_eq!(jobs.len(), 2);
    assert_eq!(world.open_job_code(&jobs[1]).await, "123456");
    assert_eq!(jobs[1].expires_at, "2026-11-26T10:05:00Z");
    // WHEN the network hands over the same code again
    deliver
        .deliver(&network_command("r3", "123456", Some(expires)))
        .await
        .unwrap();
    // THEN it is re-sent, not replaced
    assert_eq!(world.state.code_of(TOKEN).unwrap(), sent(&stored, 2));
    let jobs = world.otp_queue.jobs();
    assert_eq!(jobs[2].encrypted_code, jobs[1].encrypted_code);
}

#[tokio::test]
async fn an_exhausted_code_is_replaced_by_a_new_generation() {
    // GIVEN a code whose three attempts were spent
    let world = world();
    let mut spent = world.seed_code(TOKEN, "12345678");
    spent.issued.attempts = 3;
    world.state.seed_code(TOKEN, spent.clone());
    // WHEN a code is asked for
    world
        .deliver_activation_code()
        .deliver(&command("r1", DeliveryChannel::Sms))
        .await
        .unwrap();
    // THEN a fresh one of the next generation is issued and sent
    let stored = world.state.code_of(TOKEN).unwrap();
    assert_eq!((stored.issued.generation, stored.issued.sends), (2, 1));
    assert_eq!(stored.issued.attempts, 0);
    assert_ne!(stored.issued.mac, spent.issued.mac);
    let code = world.open_job_code(&world.otp_queue.jobs()[0]).await;
    assert_eq!(stored.issued.mac, world.code_mac(TOKEN, &code));
}

#[tokio::test]
async fn a_network_that_treats_its_code_as_delivered_once_never_gets_it_sent_twice() {
    // GIVEN a network (Visa) that hands over its own code, and the token awaiting it
    let world = world();
    let deliver = world.deliver_activation_code();
    let once = DeliverActivationCodeCommand {
        resend_same_code: false,
        ..network_command("r1", "482913", None)
    };
    deliver.deliver(&once).await.unwrap();
    // WHEN it sends the same code again under another request id
    let again = DeliverActivationCodeCommand {
        resend_same_code: false,
        ..network_command("r2", "482913", None)
    };
    deliver.deliver(&again).await.unwrap();
    // THEN it was queued once, and both messages are answered
    assert_eq!(world.otp_queue.jobs().len(), 1);
    assert_eq!(world.state.code_of(TOKEN).unwrap().issued.sends, 1);
    assert_eq!(
        world.ledger_state(OPERATION, "r2").as_deref(),
        Some("COMPLETED")
    );
    // AND a different code from it is delivered
    let other = DeliverActivationCodeCommand {
        resend_same_code: false,
        ..network_command("r3", "771204", None)
    };
    deliver.deliver(&other).await.unwrap();
    assert_eq!(world.otp_queue.jobs().len(), 2);
}

#[tokio::test]
async fn a_token_of_another_network_is_unknown_to_it() {
    let world = world();
    let mut visa = command("r1", DeliveryChannel::Sms);
    visa.message.network = tmp_core::domain::Network::Visa;
    assert_eq!(
        world.deliver_activation_code().deliver(&visa).await,
        Err(AppError::UnknownToken)
    );
    assert!(world.otp_queue.jobs().is_empty());
}

#[tokio::test]
async fn a_network_code_already_expired_is_refused_and_nothing_is_sent() {
    // GIVEN a network code whose validity ended a minute ago
    let world = world();
    let expired = network_command("r1", "482913", Some(world.now() - Duration::minutes(1)));
    // WHEN handed over
    let refused = world.deliver_activation_code().deliver(&expired).await;
    // THEN it is refused, naming the caller's field, and nothing is stored or queued
    assert!(
        matches!(&refused, Err(AppError::Invalid(e)) if e.field == "expirationDateTime"),
        "{refused:?}"
    );
    assert!(world.otp_queue.jobs().is_empty());
    assert!(world.state.code_of(TOKEN).is_none());
    assert_eq!(
        world.ledger_state(OPERATION, "r1"),
        None,
        "the claim is released"
    );
}
