//! The issuer's side end to end through the local gateway: tokens provisioned
//! the way MDES and VTS provision them, then looked up and acted on through
//! the TMP API (a bearer token from the local issuer), each action sent to
//! the TSP simulator (MDES Customer Service signed with OAuth 1.0a, VTS
//! lifecycle), confirmed, pending or refused, and every answer checked
//! against `api/tmp-api.openapi.yaml`.

use serde_json::{Value, json};

use super::issuer_support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_issuer_finds_and_acts_on_tokens_of_both_networks() {
    // GIVEN an active Mastercard token, an inactive one, and an active Visa token
    let flow = start(&[]).await;
    let (active, inactive, visa) = (tur(1), tur(2), visa_ref(3));
    flow.provision_mdes(&active, true).await;
    flow.provision_mdes(&inactive, false).await;
    flow.provision_visa(&visa).await;
    let token = flow.access_token(None).await;
    let mut contract = Vec::new();

    // WHEN the issuer searches Jane's card by PAN (in the body)
    let found = flow.search(&token, json!({"pan": JANE.0})).await;
    // THEN both Mastercard tokens, never the PAN
    assert_eq!(found.status, 200, "{}", found.body);
    let refs: Vec<&str> = found.body["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["tokenReference"].as_str().unwrap())
        .collect();
    assert_eq!(refs.len(), 2, "{}", found.body);
    assert!(refs.contains(&active.as_str()) && refs.contains(&inactive.as_str()));
    assert!(!found.body.to_string().contains(JANE.0));
    assert_eq!(found.body["tokens"][0]["cardId"], JANE_CARD_ID);
    contract.push(("SearchResponse", found.body.clone()));
    // AND the same by card id, by device, filtered by status, and by reference
    let by_card = flow
        .search(&token, json!({"cardId": JANE_CARD_ID, "status": "ACTIVE"}))
        .await;
    assert_eq!(
        by_card.body["tokens"].as_array().unwrap().len(),
        1,
        "{}",
        by_card.body
    );
    assert_eq!(by_card.body["tokens"][0]["tokenReference"], active.as_str());
    let by_device = flow.search(&token, json!({"deviceId": JANE_DEVICE})).await;
    assert_eq!(
        by_device.body["tokens"].as_array().unwrap().len(),
        2,
        "{}",
        by_device.body
    );
    let by_ref = flow.search(&token, json!({"tokenReference": visa})).await;
    assert_eq!(
        by_ref.body["tokens"][0]["network"], "VISA",
        "{}",
        by_ref.body
    );
    let paged = flow
        .search(&token, json!({"pan": JANE.0, "limit": 1}))
        .await;
    let cursor = paged.body["nextCursor"].as_str().unwrap().to_owned();
    let next = flow
        .search(&token, json!({"pan": JANE.0, "limit": 1, "cursor": cursor}))
        .await;
    assert_eq!(next.body["tokens"].as_array().unwrap().len(), 1);
    assert_ne!(next.body["tokens"][0], paged.body["tokens"][0]);
    assert_eq!(next.body["nextCursor"], Value::Null);

    // WHEN the issuer reads the active token
    let details = flow.get_token(&token, &active).await;
    // THEN its status, network, card and the decision that approved it
    assert_eq!(details.status, 200, "{}", details.body);
    assert_eq!(details.body["status"], "ACTIVE");
    assert_eq!(details.body["network"], "MASTERCARD");
    assert_eq!(details.body["decision"]["decision"], "APPROVED");
    assert!(
        !details.body["decision"]["rules"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    contract.push(("TokenDetails", details.body.clone()));

    // WHEN the issuer suspends it (a lost phone)
    let suspended = flow
        .act(
            &token,
            &active,
            "suspend",
            "idem-suspend-0001",
            action("DEVICE_LOST"),
        )
        .await;
    // THEN MDES confirmed it: suspended by the issuer, the operator in the history
    assert_eq!(suspended.status, 200, "{}", suspended.body);
    assert_eq!(suspended.body["networkStatus"], "CONFIRMED");
    assert_eq!(suspended.body["status"], "SUSPENDED");
    assert_eq!(suspended.body["suspendedBy"], json!(["ISSUER"]));
    let last = suspended.body["history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        (
            &last["initiator"],
            &last["operator"],
            &last["reasonCode"],
            &last["comment"]
        ),
        (
            &json!("OPERATOR"),
            &json!("agent.17"),
            &json!("DEVICE_LOST"),
            &json!("Cardholder called")
        )
    );
    contract.push(("TokenActionResponse", suspended.body.clone()));
    // AND MDES received one signed token/suspend with reason L and the operator as AuditInfo
    let calls = flow.network_calls("mdes", "/token/suspend").await;
    assert_eq!(calls.len(), 1, "{calls:#?}");
    let auth = calls[0]["headers"]["authorization"].as_str().unwrap();
    assert!(
        auth.starts_with("OAuth ") && auth.contains("oauth_body_hash="),
        "{auth}"
    );
    let sent = &calls[0]["body"]["TokenSuspendRequest"];
    assert_eq!(sent["TokenUniqueReference"], active.as_str());
    assert_eq!(sent["ReasonCode"], "L");
    assert_eq!(sent["AuditInfo"]["UserId"], "agent.17");
    // AND MDES's vault shows it suspended by the issuer
    let at_mdes = flow
        .simulator_get(&format!("/_local/mdes/tokens/{active}"))
        .await;
    assert_eq!(at_mdes["status"], "SUSPENDED", "{at_mdes}");

    // WHEN the issuer retries the same request
    let replay = flow
        .act(
            &token,
            &active,
            "suspend",
            "idem-suspend-0001",
            action("DEVICE_LOST"),
        )
        .await;
    // THEN the same answer, and MDES was called once
    assert_eq!(
        (replay.status, &replay.body["networkStatus"]),
        (200, &json!("CONFIRMED"))
    );
    assert_eq!(flow.network_calls("mdes", "/token/suspend").await.len(), 1);
    // AND the key reused for another request is refused
    let reused = flow
        .act(
            &token,
            &active,
            "suspend",
            "idem-suspend-0001",
            action("SUSPECTED_FRAUD"),
        )
        .await;
    assert_eq!(reused.status, 422, "{}", reused.body);
    assert_eq!(reused.content_type, "application/problem+json");

    // WHEN the issuer unsuspends it, then deletes it
    let unsuspended = flow
        .act(
            &token,
            &active,
            "unsuspend",
            "idem-unsuspend-01",
            action("DEVICE_FOUND"),
        )
        .await;
    assert_eq!(unsuspended.body["status"], "ACTIVE", "{}", unsuspended.body);
    let deleted = flow
        .act(
            &token,
            &active,
            "delete",
            "idem-delete-00001",
            action("DEVICE_STOLEN"),
        )
        .await;
    // THEN each confirmed, and the token is deleted at MDES and here
    assert_eq!(deleted.body["status"], "DEACTIVATED", "{}", deleted.body);
    assert_eq!(deleted.body["networkStatus"], "CONFIRMED");
    let at_mdes = flow
        .simulator_get(&format!("/_local/mdes/tokens/{active}"))
        .await;
    assert_eq!(at_mdes["status"], "DEACTIVATED", "{at_mdes}");
    // AND an action the state does not allow never reaches MDES
    let again = flow
        .act(
            &token,
            &active,
            "suspend",
            "idem-suspend-0002",
            action("DEVICE_LOST"),
        )
        .await;
    assert_eq!(again.status, 409, "{}", again.body);
    assert_eq!(flow.network_calls("mdes", "/token/suspend").await.len(), 1);

    // WHEN the call centre activates the inactive token after checking the cardholder
    let activated = flow
        .act(
            &token,
            &inactive,
            "activate",
            "idem-activate-001",
            json!({"reasonCode": "CARDHOLDER_VERIFIED", "operator": "agent.17"}),
        )
        .await;
    // THEN MDES activated it (by agent) and so do we
    assert_eq!(activated.body["status"], "ACTIVE", "{}", activated.body);
    let calls = flow.network_calls("mdes", "/token/activate").await;
    assert_eq!(calls[0]["body"]["TokenActivateRequest"]["ReasonCode"], "C");

    // WHEN the issuer suspends, resumes and deletes the Visa token
    for (step, (verb, reason, status, code)) in [
        ("suspend", "SUSPECTED_FRAUD", "SUSPENDED", "3702"),
        ("unsuspend", "FRAUD_CLEARED", "ACTIVE", "3703"),
        ("delete", "CONFIRMED_FRAUD", "DEACTIVATED", "3701"),
    ]
    .into_iter()
    .enumerate()
    {
        let answer = flow
            .act(
                &token,
                &visa,
                verb,
                &format!("idem-visa-step-{step}"),
                action(reason),
            )
            .await;
        // THEN VTS confirmed each, with its reason code
        assert_eq!(answer.status, 200, "{verb}: {}", answer.body);
        assert_eq!(answer.body["status"], status, "{verb}: {}", answer.body);
        let calls = flow.network_calls("vts", "LifeCycle").await;
        let sent = &calls[step]["body"];
        assert_eq!(sent["messageReasonCode"], code, "{sent}");
        assert_eq!(sent["tokenReferenceID"], visa.as_str());
        assert_eq!(sent["operatorID"], "agent.17");
        assert_eq!(sent["requestID"].as_str().unwrap().len(), 32);
        contract.push(("TokenActionResponse", answer.body.clone()));
    }
    let at_visa = flow
        .simulator_get(&format!("/_local/vts/tokens/{visa}"))
        .await;
    assert_eq!(at_visa["status"], "DEACTIVATED", "{at_visa}");

    // AND every answer is as the contract states it
    assert_contract(&contract);
    flow.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unanswered_action_is_pending_until_the_networks_notification_settles_it() {
    // GIVEN an active Mastercard token, and MDES notifying 3 s after a change
    // (later than our 1.5 s deadline)
    let flow = start(&[]).await;
    let mc = tur(11);
    flow.provision_mdes(&mc, true).await;
    let token = flow
        .access_token(Some("tmp/tokens.read tmp/tokens.write"))
        .await;
    flow.simulator_control(
        "/_local/mdes/notifications",
        &json!({"enabled": true, "delayMs": 3000}),
    )
    .await;

    // WHEN MDES applies a suspension but never answers
    flow.simulator_control(
        "/_local/mdes/fail-next",
        &json!({"count": 1, "mode": "timeout"}),
    )
    .await;
    let answer = flow
        .act(
            &token,
            &mc,
            "suspend",
            "idem-timeout-0001",
            action("DEVICE_LOST"),
        )
        .await;
    // THEN PENDING: our state unchanged, the action in flight shown
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.body["networkStatus"], "PENDING");
    assert_eq!(answer.body["status"], "ACTIVE");
    assert_eq!(answer.body["pendingNetworkAction"]["action"], "SUSPEND");
    assert_contract(&[("TokenActionResponse", answer.body.clone())]);
    // AND a retry answers PENDING again without calling MDES
    let replay = flow
        .act(
            &token,
            &mc,
            "suspend",
            "idem-timeout-0001",
            action("DEVICE_LOST"),
        )
        .await;
    assert_eq!(replay.body["networkStatus"], "PENDING");
    assert_eq!(flow.network_calls("mdes", "/token/suspend").await.len(), 1);
    // WHEN MDES's notifyTokenUpdated reports the suspension it applied
    // THEN the token is suspended by the issuer and nothing is pending any more
    let settled = flow
        .wait_for_token(&token, &mc, |t| {
            t["status"] == "SUSPENDED" && t.get("pendingNetworkAction").is_none()
        })
        .await;
    assert_eq!(settled["suspendedBy"], json!(["ISSUER"]));
    flow.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconciliation_settles_pending_actions_resends_lost_ones_and_repairs_drift() {
    // GIVEN networks that send no notifications, and reconciliation that
    // re-sends at once and trusts a network's "unknown token" at once
    let flow = start(&[
        ("ReconcileResendAfterSeconds", "0"),
        ("ReconcileUnknownGraceMinutes", "0"),
    ])
    .await;
    let (timed_out, drifted, forgotten, visa) = (tur(31), tur(32), tur(33), visa_ref(34));
    for t in [&timed_out, &drifted, &forgotten] {
        flow.provision_mdes(t, true).await;
    }
    flow.provision_visa(&visa).await;
    for network in ["mdes", "vts"] {
        flow.simulator_control(
            &format!("/_local/{network}/notifications"),
            &json!({"enabled": false}),
        )
        .await;
    }
    let token = flow.access_token(None).await;
    // AND a suspension MDES applied without answering
    flow.simulator_control(
        "/_local/mdes/fail-next",
        &json!({"count": 1, "mode": "timeout"}),
    )
    .await;
    let answer = flow
        .act(
            &token,
            &timed_out,
            "suspend",
            "idem-recon-00001",
            action("DEVICE_LOST"),
        )
        .await;
    assert_eq!(answer.body["networkStatus"], "PENDING", "{}", answer.body);
    // AND a suspension VTS failed with a 500 (nothing applied)
    flow.simulator_control("/_local/vts/fail-next", &json!({"count": 1, "mode": "500"}))
        .await;
    let answer = flow
        .act(
            &token,
            &visa,
            "suspend",
            "idem-recon-00002",
            action("SUSPECTED_FRAUD"),
        )
        .await;
    assert_eq!(answer.body["networkStatus"], "PENDING", "{}", answer.body);
    let at_visa = flow
        .simulator_get(&format!("/_local/vts/tokens/{visa}"))
        .await;
    assert_eq!(at_visa["status"], "ACTIVE");
    // AND the wallet suspended one token at MDES without telling us, and MDES
    // forgot another (as it does with tokens never activated after 30 days)
    flow.simulator_control(
        "/_local/mdes/tokens",
        &json!({"tokenUniqueReference": drifted, "status": "SUSPENDED", "suspendedBy": ["TOKEN_REQUESTOR"]}),
    )
    .await;
    let r = flow
        .http
        .delete(flow.url(&format!("/_local/mdes/tokens/{forgotten}")))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());

    // WHEN the scheduled reconciliation runs
    let r = flow
        .http
        .post(flow.url("/_local/jobs/tmp-reconcile-tokens"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let report: Value = r.json().await.unwrap();
    // THEN one settled, one re-sent, two repaired
    assert_eq!(
        (&report["settled"], &report["resent"], &report["repaired"]),
        (&json!(1), &json!(1), &json!(2)),
        "{report}"
    );
    // AND the timed-out suspension is settled from MDES's state
    let settled = flow.get_token(&token, &timed_out).await.body;
    assert_eq!(settled["status"], "SUSPENDED", "{settled}");
    assert!(settled.get("pendingNetworkAction").is_none());
    let last = settled["history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        (&last["initiator"], &last["reasonCode"]),
        (&json!("RECONCILIATION"), &json!("PENDING_SETTLED"))
    );
    // AND the lost Visa suspension went again under the same requestID, applied now
    let calls = flow.network_calls("vts", "LifeCycle").await;
    assert_eq!(calls.len(), 2, "{calls:#?}");
    assert_eq!(calls[0]["body"]["requestID"], calls[1]["body"]["requestID"]);
    let resent = flow.get_token(&token, &visa).await.body;
    assert_eq!(resent["status"], "SUSPENDED", "{resent}");
    // AND the drifted token follows MDES, the forgotten one is deleted
    let repaired = flow.get_token(&token, &drifted).await.body;
    assert_eq!(repaired["status"], "SUSPENDED", "{repaired}");
    assert_eq!(repaired["suspendedBy"], json!(["TOKEN_REQUESTOR"]));
    let last = repaired["history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        (&last["initiator"], &last["reasonCode"]),
        (&json!("RECONCILIATION"), &json!("DRIFT"))
    );
    let deleted = flow.get_token(&token, &forgotten).await.body;
    assert_eq!(deleted["status"], "DEACTIVATED", "{deleted}");
    assert_contract(&[("TokenDetails", repaired), ("TokenDetails", deleted)]);

    // WHEN it runs again THEN everything is in step
    let r = flow
        .http
        .post(flow.url("/_local/jobs/tmp-reconcile-tokens"))
        .send()
        .await
        .unwrap();
    let again: Value = r.json().await.unwrap();
    assert_eq!(
        (&again["repaired"], &again["resent"]),
        (&json!(0), &json!(0)),
        "{again}"
    );
    flow.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callers_without_a_valid_token_or_the_scope_are_refused_in_problem_json() {
    // GIVEN an active token and a read-only access token
    let flow = start(&[]).await;
    let mc = tur(21);
    flow.provision_mdes(&mc, true).await;
    let read_only = flow.access_token(Some("tmp/tokens.read")).await;
    let mut problems = Vec::new();
    // WHEN no token, a forged one, a read-only one acts, a key is missing, a token is unknown
    let cases = [
        (None, Some("idem-refused-0001"), mc.clone(), 401),
        (
            Some("eyJhbGciOiJub25lIn0.e30."),
            Some("idem-refused-0002"),
            mc.clone(),
            401,
        ),
        (
            Some(read_only.as_str()),
            Some("idem-refused-0003"),
            mc.clone(),
            403,
        ),
    ];
    for (bearer, key, token_id, status) in cases {
        let answer = flow
            .api(
                reqwest::Method::POST,
                &format!("/api/v1/tokens/{token_id}/suspend"),
                bearer,
                key,
                Some(&action("DEVICE_LOST")),
            )
            .await;
        // THEN each refused in problem+json, and MDES never called
        assert_eq!(answer.status, status, "{}", answer.body);
        assert_eq!(answer.content_type, "application/problem+json");
        assert_eq!(answer.body["status"], status);
        problems.push(("Problem", answer.body));
    }
    let write = flow.access_token(Some("tmp/tokens.write")).await;
    let no_key = flow
        .api(
            reqwest::Method::POST,
            &format!("/api/v1/tokens/{mc}/suspend"),
            Some(&write),
            None,
            Some(&action("DEVICE_LOST")),
        )
        .await;
    assert_eq!(no_key.status, 400, "{}", no_key.body);
    let unknown = flow
        .act(
            &write,
            &tur(99),
            "suspend",
            "idem-refused-0004",
            action("DEVICE_LOST"),
        )
        .await;
    assert_eq!(unknown.status, 404, "{}", unknown.body);
    // AND a write-only token cannot read
    let read = flow.get_token(&write, &mc).await;
    assert_eq!(read.status, 403, "{}", read.body);
    problems.push(("Problem", no_key.body));
    problems.push(("Problem", unknown.body));
    problems.push(("Problem", read.body));
    assert!(flow.network_calls("mdes", "/token/").await.is_empty());
    assert_contract(&problems);
    flow.finish().await;
}
