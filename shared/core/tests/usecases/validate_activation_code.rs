//! `ValidateActivationCode`: constant-time MAC check, limited attempts, one use.

use time::Duration;
use tmp_core::AppError;
use tmp_core::domain::activation_code::CodeCheck;
use tmp_core::domain::delivery::DeliveryChannel;
use tmp_core::secret::Secret;
use tmp_core::usecases::deliver_activation_code::DeliverActivationCodeCommand;
use tmp_core::usecases::validate_activation_code::{OPERATION, ValidateActivationCodeCommand};

use crate::support::{TOKEN, World, message};

const CODE: &str = "12345678";

fn attempt(request_id: &str, code: &str) -> ValidateActivationCodeCommand {
    ValidateActivationCodeCommand {
        message: message(request_id, &[TOKEN, code]),
        token_ref: TOKEN.to_owned(),
        code: Secret::new(code.to_owned()),
    }
}

/// A world where [`CODE`] was issued for [`TOKEN`] (3 attempts, 30 minutes).
fn world() -> World {
    let world = World::default();
    world.seed_code(TOKEN, CODE);
    world
}

#[tokio::test]
async fn the_right_code_succeeds_once() {
    // GIVEN an issued code
    let world = world();
    let validate = world.validate_activation_code();
    // WHEN the cardholder enters it
    let first = validate.validate(&attempt("r1", CODE)).await.unwrap();
    // THEN success, the code is used up and the request completed
    assert_eq!(first, CodeCheck::Success);
    let stored = world.state.code_of(TOKEN).unwrap();
    assert!(stored.issued.used);
    assert_eq!(stored.issued.attempts, 0);
    assert_eq!(
        world.ledger_state(OPERATION, "r1").as_deref(),
        Some("COMPLETED")
    );
    // WHEN it is entered again (a new request)
    let second = validate.validate(&attempt("r2", CODE)).await.unwrap();
    // THEN refused as incorrect: a code works once
    assert_eq!(second, CodeCheck::IncorrectCode);
    assert_eq!(
        world.ledger_state(OPERATION, "r2").as_deref(),
        Some("COMPLETED")
    );
}

#[tokio::test]
async fn wrong_codes_count_until_the_retries_are_exhausted() {
    let world = world();
    let validate = world.validate_activation_code();
    // GIVEN two wrong codes
    for (i, request) in ["r1", "r2"].into_iter().enumerate() {
        let result = validate
            .validate(&attempt(request, "00000000"))
            .await
            .unwrap();
        assert_eq!(result, CodeCheck::IncorrectCode);
        let attempts = world.state.code_of(TOKEN).unwrap().issued.attempts;
        assert_eq!(attempts, u32::try_from(i).unwrap() + 1);
    }
    // WHEN the third is wrong too THEN the retries are exceeded
    let third = validate.validate(&attempt("r3", "11111111")).await.unwrap();
    assert_eq!(third, CodeCheck::IncorrectCodeRetriesExceeded);
    assert_eq!(world.state.code_of(TOKEN).unwrap().issued.attempts, 3);
    // AND even the right code is refused afterwards, without counting further
    let right = validate.validate(&attempt("r4", CODE)).await.unwrap();
    assert_eq!(right, CodeCheck::IncorrectCodeRetriesExceeded);
    let stored = world.state.code_of(TOKEN).unwrap();
    assert_eq!(stored.issued.attempts, 3);
    assert!(!stored.issued.used);
    for request in ["r1", "r2", "r3", "r4"] {
        assert_eq!(
            world.ledger_state(OPERATION, request).as_deref(),
            Some("COMPLETED")
        );
    }
}

#[tokio::test]
async fn the_right_code_after_a_wrong_one_still_succeeds() {
    let world = world();
    let validate = world.validate_activation_code();
    let wrong = validate.validate(&attempt("r1", "87654321")).await.unwrap();
    assert_eq!(wrong, CodeCheck::IncorrectCode);
    let right = validate.validate(&attempt("r2", CODE)).await.unwrap();
    assert_eq!(right, CodeCheck::Success);
}

#[tokio::test]
async fn an_expired_code_is_refused_and_not_counted() {
    // GIVEN a code past its 30 minutes
    let world = world();
    world.clock.advance(Duration::minutes(30));
    // WHEN the right code is entered THEN it has expired
    let result = world
        .validate_activation_code()
        .validate(&attempt("r1", CODE))
        .await
        .unwrap();
    assert_eq!(result, CodeCheck::ExpiredCode);
    let stored = world.state.code_of(TOKEN).unwrap();
    assert_eq!((stored.issued.attempts, stored.issued.used), (0, false));
    assert_eq!(
        world.ledger_state(OPERATION, "r1").as_deref(),
        Some("COMPLETED")
    );
}

#[tokio::test]
async fn a_code_for_another_token_does_not_match() {
    // GIVEN a code issued for another token WHEN entered for this one THEN incorrect
    let world = World::default();
    let mut stored = world.seed_code(TOKEN, CODE);
    stored.issued.mac = world.code_mac("another-token", CODE);
    world.state.seed_code(TOKEN, stored);
    let result = world
        .validate_activation_code()
        .validate(&attempt("r1", CODE))
        .await
        .unwrap();
    assert_eq!(result, CodeCheck::IncorrectCode);
}

#[tokio::test]
async fn no_code_issued_is_an_incorrect_code() {
    let world = World::default();
    let result = world
        .validate_activation_code()
        .validate(&attempt("r1", CODE))
        .await
        .unwrap();
    assert_eq!(result, CodeCheck::IncorrectCode);
    assert_eq!(
        world.ledger_state(OPERATION, "r1").as_deref(),
        Some("COMPLETED")
    );
}

#[tokio::test]
async fn a_retry_returns_the_stored_result_without_counting_again() {
    let world = world();
    let validate = world.validate_activation_code();
    // GIVEN a wrong attempt answered, and a successful one answered
    let wrong = attempt("r1", "00000000");
    assert_eq!(
        validate.validate(&wrong).await.unwrap(),
        CodeCheck::IncorrectCode
    );
    let right = attempt("r2", CODE);
    assert_eq!(validate.validate(&right).await.unwrap(), CodeCheck::Success);
    // WHEN both are retried
    let wrong_again = validate.validate(&wrong).await.unwrap();
    let right_again = validate.validate(&right).await.unwrap();
    // THEN the stored results, even though the code is used now; nothing counted again
    assert_eq!(wrong_again, CodeCheck::IncorrectCode);
    assert_eq!(right_again, CodeCheck::Success);
    assert_eq!(world.state.code_of(TOKEN).unwrap().issued.attempts, 1);
}

#[tokio::test]
async fn a_retry_with_another_code_is_a_reused_request_id() {
    let world = world();
    let validate = world.validate_activation_code();
    validate.validate(&attempt("r1", "00000000")).await.unwrap();
    let reused = validate.validate(&attempt("r1", CODE)).await;
    assert_eq!(reused, Err(AppError::RequestIdReused));
    assert!(!world.state.code_of(TOKEN).unwrap().issued.used);
}

#[tokio::test]
async fn a_lost_write_is_unavailable_and_the_retry_succeeds() {
    // GIVEN the store fails the consuming transaction once
    let world = world();
    world.state.fail_next_commits(1);
    let validate = world.validate_activation_code();
    let request = attempt("r1", CODE);
    let failed = validate.validate(&request).await;
    assert!(matches!(failed, Err(AppError::Unavailable(_))));
    assert!(!world.state.code_of(TOKEN).unwrap().issued.used);
    assert_eq!(world.ledger_state(OPERATION, "r1"), None);
    // WHEN retried THEN it succeeds once
    assert_eq!(
        validate.validate(&request).await.unwrap(),
        CodeCheck::Success
    );
    assert!(world.state.code_of(TOKEN).unwrap().issued.used);
}

#[tokio::test]
async fn a_delivered_code_validates_end_to_end() {
    // GIVEN a code we generated and queued for a token awaiting authentication
    let world = World::default();
    world.seed_awaiting_authentication();
    world
        .deliver_activation_code()
        .deliver(&DeliverActivationCodeCommand {
            message: message("d1", &[TOKEN]),
            token_ref: TOKEN.to_owned(),
            channel: DeliveryChannel::Sms,
            code: None,
            expires_at: None,
            expires_at_field: "expirationDateTime",
            resend_same_code: true,
        })
        .await
        .unwrap();
    let code = world.open_job_code(&world.otp_queue.jobs()[0]).await;
    // WHEN the cardholder enters what the job carried THEN success
    let result = world
        .validate_activation_code()
        .validate(&attempt("v1", &code))
        .await
        .unwrap();
    assert_eq!(result, CodeCheck::Success);
}
