//! The simulated VTS: lifecycle codes, inquiry, one application per requestID, faults.

use super::*;

#[tokio::test]
async fn the_simulated_vts_applies_each_request_id_once() {
    // GIVEN the platform, notifications off, an active and an inactive Visa token
    let simulator = TspSimulator::new();
    let p = start(&simulator).await;
    post(&p, "/_local/vts/notifications", &json!({"enabled": false})).await;
    let (active, inactive) = ("DNITHE000000000000000701", "DNITHE000000000000000702");
    register_vts(&p, active, "ACTIVE").await;
    register_vts(&p, inactive, "INACTIVE").await;

    // WHEN the issuer suspends the active one
    let first = lifecycle_request("req-suspend-1", "3702", active);
    let done = lifecycle_call(&p, &first).await.unwrap();
    // THEN VTS answers the requestID and the inquiry shows it suspended
    assert_eq!(done.request_id.as_deref(), Some("req-suspend-1"));
    assert_eq!(state_of(&p, active).await.unwrap(), TokenState::Suspended);
    // AND the same requestID again gets the first answer, applied once
    assert_eq!(lifecycle_call(&p, &first).await.unwrap(), done);
    let token = get(&p, &format!("/_local/vts/tokens/{active}")).await;
    assert_eq!(token["history"].as_array().unwrap().len(), 2, "{token}");
    // AND a new request to suspend it again is refused, not retried
    assert_eq!(
        lifecycle_call(&p, &lifecycle_request("req-suspend-2", "3702", active)).await,
        Err(LifecycleError::Refused {
            status: 400,
            reason: "invalidRequest".into()
        })
    );

    // WHEN it is resumed, the inactive one activated, then the first deleted
    for (id, code, reference, state) in [
        ("req-resume", "3703", active, TokenState::Active),
        ("req-activate", "3713", inactive, TokenState::Active),
        ("req-delete", "3701", active, TokenState::Deactivated),
    ] {
        lifecycle_call(&p, &lifecycle_request(id, code, reference))
            .await
            .unwrap();
        // THEN each state is the one asked for
        assert_eq!(state_of(&p, reference).await.unwrap(), state, "{id}");
    }
    // AND an expiry update encrypted for Visa's key (the platform's VtsLifecycleEncryptionKey)
    // is opened and recorded on the token, without a state change
    let visa = lifecycle::VisaEncryptionKey::from_base64_der(
        p.deployment
            .parameter("VtsLifecycleEncryptionKeyId")
            .unwrap(),
        p.deployment.parameter("VtsLifecycleEncryptionKey").unwrap(),
    )
    .unwrap();
    let mut update = lifecycle_request("req-expiry", "3720", inactive);
    update["cardholderInfo"] =
        serde_json::to_value(visa.cardholder_info(None, Some((11, 2031))).unwrap()).unwrap();
    lifecycle_call(&p, &update).await.unwrap();
    let token = get(&p, &format!("/_local/vts/tokens/{inactive}")).await;
    assert_eq!(token["updates"][0]["messageReasonCode"], "3720", "{token}");
    assert_eq!(token["panExpiration"], "11/2031", "{token}");
    assert_eq!(token["status"], "ACTIVE");
    // AND one whose cardholderInfo is not encrypted for that key is refused naming it
    let mut forged = lifecycle_request("req-expiry-forged", "3720", inactive);
    forged["cardholderInfo"] = json!({"encryptedData": "eyJhbGciOiJSU0EtT0FFUC0yNTYifQ.a.b.c.d"});
    let (status, body) = vts_call(&p, lifecycle::LIFECYCLE_PATH, &forged).await;
    let error: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        (status, &error["errorResponse"]["details"]),
        (400, &json!(["cardholderInfo"]))
    );
    // AND a deletion with operationType UPDATE is a refusal naming the field
    let mut wrong = lifecycle_request("req-wrong", "3701", inactive);
    wrong["operationType"] = json!("UPDATE");
    let (status, body) = vts_call(&p, lifecycle::LIFECYCLE_PATH, &wrong).await;
    let error: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(status, 400);
    assert_eq!(error["errorResponse"]["details"], json!(["operationType"]));
    // AND an unknown token is TOKEN_NOT_FOUND, by lifecycle and by inquiry
    let unknown = "DNITHE000000000000000799";
    assert_eq!(
        lifecycle_call(&p, &lifecycle_request("req-unknown", "3702", unknown)).await,
        Err(LifecycleError::NotFound)
    );
    assert_eq!(state_of(&p, unknown).await, Err(LifecycleError::NotFound));
    // AND the inquiry by card lists both tokens
    let by_card =
        json!({"requestID": "inq-2", "operatorID": "op", "panReferenceID": "V-PANREF-000077"});
    let (status, body) = vts_call(&p, lifecycle::INQUIRY_PATH, &by_card).await;
    let answer: InquiryResponse = lifecycle::read_answer(status, &body).unwrap();
    assert_eq!(answer.token_details.len(), 2);

    // WHEN the next lifecycle call fails with a 500
    post(
        &p,
        "/_local/vts/fail-next",
        &json!({"count": 1, "mode": "500"}),
    )
    .await;
    let suspend = lifecycle_request("req-suspend-3", "3702", inactive);
    // THEN it is retryable and not applied
    assert_eq!(
        lifecycle_call(&p, &suspend).await,
        Err(LifecycleError::Retryable { status: Some(500) })
    );
    assert_eq!(state_of(&p, inactive).await.unwrap(), TokenState::Active);
    // WHEN the next one times out
    post(
        &p,
        "/_local/vts/fail-next",
        &json!({"count": 1, "mode": "timeout"}),
    )
    .await;
    let timed_out = reqwest::Client::new()
        .post(format!(
            "{}/_local/vts/{}",
            p.base_url,
            lifecycle::LIFECYCLE_PATH
        ))
        .timeout(Duration::from_secs(1))
        .json(&suspend)
        .send()
        .await
        .unwrap_err();
    // THEN no answer came but it was applied, and the retry is answered without applying twice
    assert!(timed_out.is_timeout());
    assert_eq!(state_of(&p, inactive).await.unwrap(), TokenState::Suspended);
    let retried = lifecycle_call(&p, &suspend).await.unwrap();
    assert_eq!(retried.request_id.as_deref(), Some("req-suspend-3"));
    let token = get(&p, &format!("/_local/vts/tokens/{inactive}")).await;
    let suspensions = token["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["messageReasonCode"] == "3702")
        .count();
    assert_eq!(suspensions, 1, "{token}");
    // AND every call is listed, in order
    let calls = get(&p, "/_local/vts/calls").await;
    let calls = calls.as_array().unwrap();
    assert_eq!(calls.len(), 21, "{calls:?}");
    assert_eq!(calls[0]["body"], first);
    assert!(
        calls[0]["url"]
            .as_str()
            .unwrap()
            .ends_with(lifecycle::LIFECYCLE_PATH)
    );
    assert_eq!(calls[20]["body"], suspend);
    p.shutdown().await;
}
