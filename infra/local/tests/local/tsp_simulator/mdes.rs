//! The simulated MDES: the OAuth gate, token state, faults and the calls list.

use super::*;

#[tokio::test]
async fn the_simulated_mdes_applies_only_signed_calls_to_real_token_state() {
    // GIVEN the platform with its simulated MDES, notifications off, and tokens
    let simulator = TspSimulator::new();
    let p = start(&simulator).await;
    let (status, _) = post(&p, "/_local/mdes/notifications", &json!({"enabled": false})).await;
    assert_eq!(status, 204);
    let signer = tmp_signer(&p, &simulator).await;
    let (active, wallet_suspended, inactive) = (tur(1), tur(2), tur(3));
    register_mdes(&p, &active, "ACTIVE", &[]).await;
    register_mdes(&p, &wallet_suspended, "SUSPENDED", &["TOKEN_REQUESTOR"]).await;
    register_mdes(&p, &inactive, "INACTIVE", &[]).await;
    // AND the signing key's public half is served, and the parameters point here when declared
    let pem = reqwest::get(format!("{}/_local/keys/mdes-oauth-public.pem", p.base_url))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(Some(pem), simulator.mdes_oauth_public_pem());
    for (parameter, value) in [
        (
            tsp::MDES_CS_BASE_URL_PARAMETER,
            format!("{}/_local/mdes/csapi/v2", p.base_url),
        ),
        (
            tsp::VTS_LIFECYCLE_BASE_URL_PARAMETER,
            format!("{}/_local/vts", p.base_url),
        ),
        (tsp::NETWORK_TIMEOUT_PARAMETER, "1500".to_owned()),
    ] {
        if p.deployment.declares_parameter(parameter) {
            assert_eq!(p.deployment.parameter(parameter), Some(value.as_str()));
        }
    }

    // WHEN a suspension is sent unsigned, or signed for another body
    let body = suspend(&active).to_string();
    let unsigned = reqwest::Client::new()
        .post(cs_url(&p, "token/suspend"))
        .header("content-type", "application/json")
        .body(body.clone());
    let (status, answer) = send(unsigned).await;
    // THEN 401 in MDES's shape, and nothing changes
    assert_eq!(status, 401);
    assert_eq!(
        answer["Errors"]["Error"][0]["ReasonCode"],
        "AUTHENTICATION_FAILED"
    );
    let other = suspend(&wallet_suspended).to_string();
    let header = signer
        .authorization("POST", &cs_url(&p, "token/suspend"), other.as_bytes())
        .unwrap();
    let tampered = reqwest::Client::new()
        .post(cs_url(&p, "token/suspend"))
        .header("authorization", header)
        .body(body.clone());
    assert_eq!(send(tampered).await.0, 401);
    let stranger = OAuthSigner::new(
        "someone-else",
        PrivateKey::new(&mut getrandom::SysRng, 2048).unwrap(),
    );
    assert_eq!(
        cs(&p, &stranger, "token/suspend", &suspend(&active))
            .await
            .0,
        401
    );
    assert_eq!(
        searched(&p, &signer, &active, false).await,
        Some((TokenStatusCode::Active, vec![]))
    );

    // WHEN the issuer suspends it, signed
    let (status, answer) = cs(&p, &signer, "token/suspend", &suspend(&active)).await;
    // THEN MDES answers the token, and search shows it suspended by the issuer
    let answer: TokenSuspendResponseSchema = read_answer(status, &answer).unwrap();
    assert_eq!(answer.response.token.token_unique_reference, active);
    assert_eq!(
        searched(&p, &signer, &active, false).await,
        Some((TokenStatusCode::Suspended, vec![Party::Issuer]))
    );
    // AND the same suspension again is answered and changes nothing
    assert_eq!(
        cs(&p, &signer, "token/suspend", &suspend(&active)).await.0,
        200
    );

    // WHEN the issuer suspends and unsuspends a token the wallet suspended
    assert_eq!(
        cs(&p, &signer, "token/suspend", &suspend(&wallet_suspended))
            .await
            .0,
        200
    );
    assert_eq!(
        searched(&p, &signer, &wallet_suspended, false).await,
        Some((
            TokenStatusCode::Suspended,
            vec![Party::TokenRequestor, Party::Issuer]
        ))
    );
    let unsuspend = |t: &str| action("TokenUnsuspendRequest", t, "F");
    assert_eq!(
        cs(
            &p,
            &signer,
            "token/unsuspend",
            &unsuspend(&wallet_suspended)
        )
        .await
        .0,
        200
    );
    // THEN the wallet's suspension remains; an issuer-only one is lifted entirely
    assert_eq!(
        searched(&p, &signer, &wallet_suspended, false).await,
        Some((TokenStatusCode::Suspended, vec![Party::TokenRequestor]))
    );
    assert_eq!(
        cs(&p, &signer, "token/unsuspend", &unsuspend(&active))
            .await
            .0,
        200
    );
    assert_eq!(
        searched(&p, &signer, &active, false).await,
        Some((TokenStatusCode::Active, vec![]))
    );

    // WHEN an active token is activated THEN INVALID_TOKEN_STATUS; an inactive one becomes active
    let activate = |t: &str| action("TokenActivateRequest", t, "A");
    let (status, body) = cs(&p, &signer, "token/activate", &activate(&active)).await;
    let refused = read_answer::<TokenSuspendResponseSchema>(status, &body).unwrap_err();
    assert!(
        matches!(&refused, CsError::Refused { status: 400, reason_code, .. } if reason_code == "INVALID_TOKEN_STATUS"),
        "{refused:?}"
    );
    assert_eq!(
        searched(&p, &signer, &inactive, false).await,
        Some((TokenStatusCode::Unmapped, vec![]))
    );
    assert_eq!(
        cs(&p, &signer, "token/activate", &activate(&inactive))
            .await
            .0,
        200
    );
    assert_eq!(
        searched(&p, &signer, &inactive, false).await,
        Some((TokenStatusCode::Active, vec![]))
    );

    // WHEN the token is deleted THEN it is terminal, and hidden by ExcludeDeletedIndicator
    let delete = action("TokenDeleteRequest", &active, "C");
    assert_eq!(cs(&p, &signer, "token/delete", &delete).await.0, 200);
    let (status, body) = cs(&p, &signer, "token/suspend", &suspend(&active)).await;
    assert_eq!(status, 400);
    let error: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(error["Errors"]["Error"][0]["ErrorCode"], "TOKEN_DELETED");
    assert_eq!(
        searched(&p, &signer, &active, false).await,
        Some((TokenStatusCode::Deleted, vec![]))
    );
    assert_eq!(searched(&p, &signer, &active, true).await, None);
    // AND an unknown token is 404 TOKEN_NOT_FOUND, and search finds nothing
    let (status, body) = cs(&p, &signer, "token/suspend", &suspend(&tur(99))).await;
    let error: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        (status, &error["Errors"]["Error"][0]["ErrorCode"]),
        (404, &json!("TOKEN_NOT_FOUND"))
    );
    assert_eq!(searched(&p, &signer, &tur(99), false).await, None);

    // WHEN its status history is asked
    let request = json!({"TokenStatusHistoryRequest": {"TokenUniqueReference": active, "AuditInfo": audit()}});
    let (status, body) = cs(&p, &signer, "token/statushistory", &request).await;
    let history: TokenStatusHistoryResponseSchema = read_answer(status, &body).unwrap();
    // THEN every change, newest first, the issuer's with its AuditInfo
    let statuses = history.response.statuses.status;
    let codes: Vec<TokenStatusCode> = statuses.iter().map(|s| s.status_code).collect();
    use TokenStatusCode::{Active, Deleted, Suspended};
    assert_eq!(codes, [Deleted, Active, Suspended, Active]);
    assert_eq!(statuses[0].initiator, Some(Party::Issuer));
    assert_eq!(statuses[0].reason_code.as_deref(), Some("C"));
    assert_eq!(statuses[0].audit_info.as_ref().unwrap().user_id, "CS-0042");
    assert_eq!(statuses[3].audit_info, None);

    // WHEN the next lifecycle call fails with a 500
    let fail = |mode: &str| json!({"count": 1, "mode": mode});
    assert_eq!(
        post(&p, "/_local/mdes/fail-next", &fail("500")).await.0,
        204
    );
    let (status, body) = cs(&p, &signer, "token/suspend", &suspend(&inactive)).await;
    // THEN it is retryable, and nothing was applied
    assert_eq!(status, 500);
    assert!(
        read_answer::<TokenSuspendResponseSchema>(status, &body)
            .unwrap_err()
            .is_retryable()
    );
    assert_eq!(
        searched(&p, &signer, &inactive, false).await,
        Some((TokenStatusCode::Active, vec![]))
    );
    // WHEN the next one times out
    assert_eq!(
        post(&p, "/_local/mdes/fail-next", &fail("timeout")).await.0,
        204
    );
    let url = cs_url(&p, "token/suspend");
    let bytes = suspend(&inactive).to_string();
    let started = Instant::now();
    let timed_out = reqwest::Client::new()
        .post(&url)
        .timeout(Duration::from_secs(1))
        .header(
            "authorization",
            signer
                .authorization("POST", &url, bytes.as_bytes())
                .unwrap(),
        )
        .body(bytes)
        .send()
        .await
        .unwrap_err();
    // THEN no answer comes, but the suspension was applied
    assert!(timed_out.is_timeout(), "{timed_out:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
    let token = get(&p, &format!("/_local/mdes/tokens/{inactive}")).await;
    assert_eq!(token["status"], "SUSPENDED", "{token}");
    assert_eq!(token["suspendedBy"], json!(["ISSUER"]));

    // AND every call was recorded in order, headers and parsed bodies included
    let calls = get(&p, "/_local/mdes/calls").await;
    let calls = calls.as_array().unwrap();
    assert_eq!(calls.len(), 27, "{calls:?}");
    assert_eq!(calls[0]["method"], "POST");
    assert_eq!(calls[0]["url"], cs_url(&p, "token/suspend"));
    assert!(calls[0]["headers"].get("authorization").is_none());
    assert_eq!(calls[0]["body"], suspend(&active));
    assert!(
        calls[3]["headers"]["authorization"]
            .as_str()
            .unwrap()
            .starts_with("OAuth ")
    );
    assert_eq!(calls[26]["body"], suspend(&inactive));
    // AND no notification was sent while they were off
    assert_eq!(notifications(&p, "mdes", 0).await, Vec::<Value>::new());
    p.shutdown().await;
}

#[tokio::test]
async fn the_tmps_mdes_client_reads_a_tokens_history_and_transactions() {
    use tmp_aws::networks::{MdesCustomerService, MdesCustomerServiceConfig, NetworkClients};
    use tmp_core::domain::Network;
    use tmp_core::domain::token::TokenStatus;
    use tmp_core::ports::{NetworkParty, RecordsError, TokenNetworkRecords};

    // GIVEN the simulated MDES with a token that made two purchases, then suspended by the issuer
    let simulator = TspSimulator::new();
    let p = start(&simulator).await;
    post(&p, "/_local/mdes/notifications", &json!({"enabled": false})).await;
    let signer = tmp_signer(&p, &simulator).await;
    let token = tur(40);
    let (status, answer) = post(
        &p,
        "/_local/mdes/tokens",
        &json!({"tokenUniqueReference": token, "status": "ACTIVE", "accountPanSuffix": "0001",
                "transactions": [
                    {"CurrencyCode": "EUR", "TransactionAmount": "12.50", "TransactionTypeCode": "PURCH",
                     "TransactionStatusCode": "COMP", "MerchantName": "CAFE", "MerchantCategoryCode": "5814"},
                    {"CurrencyCode": "EUR", "TransactionAmount": "-3.00", "TransactionTypeCode": "REFND"}
                ]}),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    let (status, _) = cs(&p, &signer, "token/suspend", &suspend(&token)).await;
    assert_eq!(status, 200);
    // AND the TMP's own client, signing as the platform does
    let clients = NetworkClients {
        mdes: Some(MdesCustomerService::new(
            reqwest::Client::new(),
            MdesCustomerServiceConfig {
                base_url: format!("{}/_local/mdes/csapi/v2", p.base_url),
                timeout: Duration::from_secs(5),
                organization: "Example Bank".into(),
            },
            signer,
        )),
        vts: None,
    };
    // WHEN customer service reads the token's history
    let history = clients
        .status_history(Network::Mastercard, &token, "agent.17")
        .await
        .unwrap();
    // THEN newest first: the issuer's suspension with its operator, then MDES's registration
    assert_eq!(history[0].status, TokenStatus::Suspended);
    assert_eq!(history[0].initiator, Some(NetworkParty::Issuer));
    assert_eq!(history[0].operator.as_deref(), Some("CS-0042"));
    assert_eq!(history.last().unwrap().status, TokenStatus::Active);
    // WHEN it reads the transactions THEN both, as MDES sent them
    let transactions = clients
        .transactions(Network::Mastercard, &token, "agent.17")
        .await
        .unwrap();
    assert_eq!(transactions.len(), 2);
    assert_eq!(transactions[0].amount.as_deref(), Some("12.50"));
    assert_eq!(transactions[0].merchant_name.as_deref(), Some("CAFE"));
    assert_eq!(transactions[1].type_code.as_deref(), Some("REFND"));
    // AND each read was signed and carried the agent in AuditInfo
    let calls = get(&p, "/_local/mdes/calls").await;
    let reads: Vec<&Value> = calls
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| {
            let url = c["url"].as_str().unwrap();
            url.ends_with("/token/statushistory") || url.ends_with("/transactions")
        })
        .collect();
    assert_eq!(reads.len(), 2);
    for read in reads {
        let request = read["body"].as_object().unwrap().values().next().unwrap();
        assert_eq!(request["AuditInfo"]["UserId"], "agent.17", "{read}");
        assert!(
            read["headers"]["authorization"]
                .as_str()
                .unwrap()
                .starts_with("OAuth ")
        );
    }
    // AND a token MDES does not hold is unknown; Visa offers no such record
    assert_eq!(
        clients
            .transactions(Network::Mastercard, &tur(41), "agent.17")
            .await,
        Err(RecordsError::UnknownToken)
    );
    assert_eq!(
        clients
            .status_history(Network::Visa, "DNITHE000000000000000001", "agent.17")
            .await,
        Err(RecordsError::NotSupported(Network::Visa))
    );
    p.shutdown().await;
}
