//! `DeliverActivationCode`: a code (ours or the network's) on the OTP queue,
//! only as key-service ciphertext; a code in force is re-sent as it is.

use time::Duration;
use tmp_core::AppError;
use tmp_core::domain::activation_code::CodeSource;
use tmp_core::domain::delivery::DeliveryChannel;
use tmp_core::domain::token::TokenStatus;
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

/// A world with [`TOKEN`] awaiting activation, its cardholder speaking French.
fn world() -> World {
    let world = World::default();
    let mut record = token_record(TOKEN, TokenStatus::Inactive, Some(world.fingerprint(PAN)));
    record.language = Some("fr".to_owned());
    world.state.seed_token(record, None);
    world
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
    let jobs = world.otp.jobs();
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
    let job = &world.otp.jobs()[0];
    assert_eq!(world.open_job_code(job).await, "123456");
    assert_eq!(job.expires_at, "2026-11-26T10:05:00Z");
    let stored = world.state.code_of(TOKEN).unwrap();
    assert_eq!(stored.issued.source, CodeSource::Network);
    assert_eq!(stored.issued.mac, world.code_mac(TOKEN, "123456"));
    assert_eq!(stored.issued.expires_at, expires);
}

#[tokio::test]
async fn a_network_code_without_expiry_gets_the_policy_validity() {
    let world = world();
    world
        .deliver_activation_code()
        .deliver(&network_command("r1", "654321", None))
        .await
        .unwrap();
    assert_eq!(world.otp.jobs()[0].expires_at, "2026-11-26T10:10:00Z");
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
    let jobs = world.otp.jobs();
    assert_eq!(jobs.len(), 2);
    assert_eq!(jobs[1].channel, DeliveryChannel::Email);
    assert_eq!(jobs[1].encrypted_code, jobs[0].encrypted_code);
    assert_eq!(jobs[1].expires_at, jobs[0].expires_at);
    assert_ne!(jobs[1].job_id, jobs[0].job_id);
    assert_eq!(world.state.code_of(TOKEN).unwrap(), before);
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
    let jobs = world.otp.jobs();
    assert_ne!(jobs[1].encrypted_code, jobs[0].encrypted_code);
    assert_eq!(jobs[1].expires_at, "2026-11-26T10:21:00Z");
    let code = world.open_job_code(&jobs[1]).await;
    assert_eq!(
        world.state.code_of(TOKEN).unwrap().issued.mac,
        world.code_mac(TOKEN, &code)
    );
}

#[tokio::test]
async fn a_retried_request_is_not_delivered_twice() {
    let world = world();
    let deliver = world.deliver_activation_code();
    let first = command("r1", DeliveryChannel::Sms);
    deliver.deliver(&first).await.unwrap();
    deliver.deliver(&first).await.unwrap();
    assert_eq!(world.otp.attempts(), 1);
    assert_eq!(world.otp.jobs().len(), 1);
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
    assert!(world.otp.jobs().is_empty());
    assert!(world.state.code_of(TOKEN).is_none());
}

#[tokio::test]
async fn a_queue_outage_is_unavailable_and_the_retry_delivers_the_same_code() {
    // GIVEN the OTP queue is down
    let world = world();
    world.otp.fail(true);
    let deliver = world.deliver_activation_code();
    let request = command("r1", DeliveryChannel::Sms);
    // WHEN a code is asked for
    let result = deliver.deliver(&request).await;
    // THEN Unavailable, the claim released, nothing queued
    assert!(matches!(result, Err(AppError::Unavailable(_))));
    assert_eq!(world.ledger_state(OPERATION, "r1"), None);
    assert!(world.otp.jobs().is_empty());
    let issued = world.state.code_of(TOKEN).unwrap();
    // WHEN the queue is back and the network retries
    world.otp.fail(false);
    deliver.deliver(&request).await.unwrap();
    // THEN the code issued by the first attempt goes out, and the request completes
    let jobs = world.otp.jobs();
    assert_eq!(jobs.len(), 1);
    let code = world.open_job_code(&jobs[0]).await;
    assert_eq!(issued.issued.mac, world.code_mac(TOKEN, &code));
    assert_eq!(world.state.code_of(TOKEN).unwrap(), issued);
    assert_eq!(world.otp.attempts(), 2);
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
    assert!(world.otp.jobs().is_empty());
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
    assert_eq!(world.otp.jobs().len(), 1);
}
