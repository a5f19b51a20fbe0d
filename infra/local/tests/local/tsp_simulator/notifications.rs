//! Notifications back to our TSP API from both simulated networks, and their switch.

use super::*;

#[tokio::test]
async fn changes_are_notified_back_to_our_tsp_api_until_switched_off() {
    // GIVEN the platform holding a Visa token (VTS told it of its creation)
    let simulator = TspSimulator::new();
    let p = start(&simulator).await;
    let known = "DNITHE000000000000000801";
    let (kid, der) = vts_key(&p).await;
    let content = json!({
        "tokenInfo": {"token": "4895370012000801", "tokenType": "SECURE_ELEMENT", "tokenStatus": "ACTIVE",
                      "tokenExpirationDate": {"month": "03", "year": "2030"}},
        "cardholderInfo": {"primaryAccountNumber": "4111111111111111", "name": "Alex Example",
                           "expirationDate": {"month": "12", "year": "2029"}}
    });
    let created = json!({
        "messageReasonCode": "3700",
        "dateTimeOfEvent": time::OffsetDateTime::now_utc()
            .format(&time::macros::format_description!(
                "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"))
            .unwrap(),
        "encryptedData": jwe::encrypt_as_vts(&der, &kid, content.to_string().as_bytes()).unwrap()
    });
    let (status, body) = post(
        &p,
        &format!("/vts/v1/tokenRequestors/{REQUESTOR}/tokens/{known}/tokenChanged?eventType=TOKEN_CREATED&eventID=evt-created-801"),
        &created,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    // AND the simulated VTS holding it and a token our platform never heard of
    let stranger = "DNITHE000000000000000802";
    register_vts(&p, known, "ACTIVE").await;
    register_vts(&p, stranger, "ACTIVE").await;

    // WHEN the issuer suspends both at VTS
    for (id, reference) in [("n-1", known), ("n-2", stranger)] {
        lifecycle_call(&p, &lifecycle_request(id, "3702", reference))
            .await
            .unwrap();
    }
    // THEN VTS tells our API with an encrypted tokenChanged: ours is applied, the other unknown
    let sent = notifications(&p, "vts", 2).await;
    let status_of = |reference: &str| {
        let n = sent
            .iter()
            .find(|n| n["tokenReference"] == reference)
            .unwrap();
        assert_eq!(n["status"], "SUSPENDED");
        assert!(
            n["url"]
                .as_str()
                .unwrap()
                .contains("eventType=TOKEN_STATUS_UPDATED")
        );
        n["httpStatus"].as_u64().unwrap()
    };
    assert_eq!(status_of(known), 200, "{sent:?}");
    assert_eq!(status_of(stranger), 404, "{sent:?}");

    // WHEN MDES applies a suspension, then a deletion that times out
    let signer = simulator.mdes_signer().unwrap();
    let (suspended, deleted) = (tur(801), tur(802));
    register_mdes(&p, &suspended, "ACTIVE", &[]).await;
    register_mdes(&p, &deleted, "ACTIVE", &[]).await;
    assert_eq!(
        cs(&p, &signer, "token/suspend", &suspend(&suspended))
            .await
            .0,
        200
    );
    post(
        &p,
        "/_local/mdes/fail-next",
        &json!({"count": 1, "mode": "timeout"}),
    )
    .await;
    let url = cs_url(&p, "token/delete");
    let bytes = action("TokenDeleteRequest", &deleted, "C").to_string();
    let answer = reqwest::Client::new()
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
        .await;
    assert!(answer.unwrap_err().is_timeout());
    // THEN our API receives notifyTokenUpdated for both, and answers each 200
    let sent = notifications(&p, "mdes", 2).await;
    for (reference, status, suspended_by) in [
        (&suspended, "SUSPENDED", Some(json!(["ISSUER"]))),
        (&deleted, "DEACTIVATED", None),
    ] {
        let n = sent
            .iter()
            .find(|n| n["tokenReference"] == reference.as_str())
            .unwrap();
        assert_eq!(n["httpStatus"], 200, "{n}");
        assert!(
            n["url"]
                .as_str()
                .unwrap()
                .ends_with("/mdes/notifyTokenUpdated")
        );
        let token = &n["body"]["tokens"][0];
        assert_eq!(n["body"]["reasonCode"], "STATUS_UPDATE");
        assert_eq!(token["tokenUniqueReference"], reference.as_str());
        assert_eq!(token["status"], status);
        assert_eq!(token.get("suspendedBy").cloned(), suspended_by);
    }

    // WHEN notifications are switched off and both networks change tokens again
    for network in ["mdes", "vts"] {
        let (status, _) = post(
            &p,
            &format!("/_local/{network}/notifications"),
            &json!({"enabled": false}),
        )
        .await;
        assert_eq!(status, 204);
    }
    let unsuspend = action("TokenUnsuspendRequest", &suspended, "F");
    assert_eq!(cs(&p, &signer, "token/unsuspend", &unsuspend).await.0, 200);
    lifecycle_call(&p, &lifecycle_request("n-3", "3703", known))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(600)).await;
    // THEN nothing more is sent
    assert_eq!(notifications(&p, "mdes", 2).await.len(), 2);
    assert_eq!(notifications(&p, "vts", 2).await.len(), 2);
    // AND a silent registration (drift) never notifies, even when switched on
    post(&p, "/_local/mdes/notifications", &json!({"enabled": true})).await;
    register_mdes(&p, &suspended, "SUSPENDED", &["CARDHOLDER"]).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(notifications(&p, "mdes", 2).await.len(), 2);
    p.shutdown().await;
}
