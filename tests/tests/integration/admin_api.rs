//! The admin API end to end through the local gateway, against moto and the
//! TSP simulators: agents sign in with the local sign-in (Cognito's claims,
//! the functions' own verification), a viewer reads and is refused an
//! action (403, MDES never asked), an agent suspends a token (MDES records
//! the agent in AuditInfo), a supervisor reads the audit log with every one
//! of those requests in it; no PAN is ever in the audit table; every answer
//! is checked against `api/admin-api.openapi.yaml`, and no function did
//! anything its policy does not allow.

use serde_json::{Value, json};
use time::OffsetDateTime;

use super::issuer_support::*;

/// An agent's access token from the local sign-in, through the gateway.
pub(crate) async fn sign_in(flow: &Flow, email: &str) -> String {
    let r = flow
        .http
        .post(flow.url("/_local/admin/sign-in"))
        .json(&json!({"email": email, "password": "local-password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{email}");
    r.json::<Value>().await.unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// `(status, body)` of an admin API call.
pub(crate) async fn admin(
    flow: &Flow,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = flow
        .http
        .request(method, flow.url(path))
        .bearer_auth(token)
        .header("idempotency-key", uuid::Uuid::new_v4().to_string());
    if let Some(body) = body {
        request = request.json(&body);
    }
    let r = request.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// The job `accepted` names once it is no longer RUNNING (followed as the panel does).
async fn finished_job(flow: &Flow, token: &str, accepted: &Value) -> Value {
    let path = format!("/admin-api/v1/jobs/{}", accepted["jobId"].as_str().unwrap());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let (status, job) = admin(flow, token, reqwest::Method::GET, &path, None).await;
        assert_eq!(status, 200, "{job}");
        if job["status"] != "RUNNING" {
            return job;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "job never finished: {job}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
}

fn assert_admin_contract(cases: &[(&str, Value)]) {
    let errors = tmp_testkit::python::openapi_schema_errors(
        &tmp_local::workspace_root().join("api/admin-api.openapi.yaml"),
        cases,
    )
    .unwrap();
    for ((schema, body), errors) in cases.iter().zip(errors) {
        assert!(errors.is_empty(), "{schema}: {errors:?}\n{body:#}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agents_act_within_their_roles_and_every_request_is_in_the_audit_log() {
    // GIVEN an active Mastercard token of Jane's card
    let flow = start(&[]).await;
    let mc = tur(701);
    flow.provision_mdes(&mc, true).await;
    let (viewer, agent, supervisor) = (
        sign_in(&flow, "viewer@bank.test").await,
        sign_in(&flow, "agent@bank.test").await,
        sign_in(&flow, "supervisor@bank.test").await,
    );
    let mut contract = Vec::new();
    use reqwest::Method;

    // WHEN a viewer searches the card by PAN and opens the token
    let (status, found) = admin(
        &flow,
        &viewer,
        Method::POST,
        "/admin-api/v1/tokens/search",
        Some(json!({"pan": JANE.0})),
    )
    .await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["tokens"][0]["tokenId"], mc.as_str());
    contract.push(("SearchResponse", found));
    let page_path = format!("/admin-api/v1/tokens/{mc}");
    let (status, page) = admin(&flow, &viewer, Method::GET, &page_path, None).await;
    // THEN the page, the decision in words, and no action offered
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["allowedActions"], json!([]));
    assert_eq!(
        page["decisionTrail"]["summary"],
        "Approved: every check passed."
    );
    contract.push(("TokenPage", page));
    // WHEN the viewer tries to suspend it THEN 403 and MDES is never asked
    let suspend = format!("/admin-api/v1/tokens/{mc}/suspend");
    let (status, problem) = admin(
        &flow,
        &viewer,
        Method::POST,
        &suspend,
        Some(json!({"reasonCode": "DEVICE_LOST"})),
    )
    .await;
    assert_eq!(status, 403, "{problem}");
    contract.push(("Problem", problem));
    assert!(
        flow.network_calls("mdes", "/token/suspend")
            .await
            .is_empty()
    );

    // WHEN an agent suspends it for a lost phone
    let (status, result) = admin(
        &flow,
        &agent,
        Method::POST,
        &suspend,
        Some(json!({"reasonCode": "DEVICE_LOST", "comment": "Cardholder called: phone lost"})),
    )
    .await;
    // THEN MDES confirmed it, the agent is the operator here and in MDES's audit trail
    assert_eq!(status, 200, "{result}");
    assert_eq!(result["networkStatus"], "CONFIRMED");
    assert_eq!(result["status"], "SUSPENDED");
    let line = result["history"].as_array().unwrap().last().unwrap();
    assert_eq!(line["operator"], "agent@bank.test");
    contract.push(("ActionResult", result.clone()));
    let calls = flow.network_calls("mdes", "/token/suspend").await;
    assert_eq!(calls.len(), 1);
    assert_eq!(
        calls[0]["body"]["TokenSuspendRequest"]["AuditInfo"]["UserId"],
        "agent@bank.test"
    );

    // WHEN a supervisor reads today's audit log
    let (status, log) = admin(&flow, &supervisor, Method::GET, "/admin-api/v1/audit", None).await;
    // THEN every request above, newest first, with who, what, result and source
    assert_eq!(status, 200, "{log}");
    let entries = log["entries"].as_array().unwrap();
    let seen: Vec<(String, String, String)> = entries
        .iter()
        .map(|e| {
            (
                e["actor"].as_str().unwrap().to_owned(),
                e["action"].as_str().unwrap().to_owned(),
                e["result"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for wanted in [
        ("viewer@bank.test", "SEARCH_TOKENS", "SUCCEEDED"),
        ("viewer@bank.test", "VIEW_TOKEN", "SUCCEEDED"),
        ("viewer@bank.test", "SUSPEND_TOKEN", "REFUSED"),
        ("agent@bank.test", "SUSPEND_TOKEN", "SUCCEEDED"),
    ] {
        let wanted = (
            wanted.0.to_owned(),
            wanted.1.to_owned(),
            wanted.2.to_owned(),
        );
        assert!(seen.contains(&wanted), "{wanted:?} not in {seen:?}");
    }
    assert_eq!(seen[0].1, "SUSPEND_TOKEN", "newest first: {seen:?}");
    assert!(entries.iter().all(|e| e["sourceIp"] == "127.0.0.1"));
    let search = entries
        .iter()
        .find(|e| e["action"] == "SEARCH_TOKENS")
        .unwrap();
    assert_eq!(search["target"], "pan ****4444");
    contract.push(("AuditPage", log.clone()));
    // AND an agent may not read it
    let (status, _) = admin(&flow, &agent, Method::GET, "/admin-api/v1/audit", None).await;
    assert_eq!(status, 403);
    // AND no token at all is 401, not audited
    let r = flow
        .http
        .get(flow.url("/admin-api/v1/me"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);

    // AND the PAN is nowhere in the audit table
    let dynamodb = aws_sdk_dynamodb::Client::new(&flow.platform.sdk);
    let table = flow
        .platform
        .deployment
        .reference("AdminAuditTable")
        .unwrap()
        .to_owned();
    let items = dynamodb
        .scan()
        .table_name(&table)
        .send()
        .await
        .unwrap()
        .items
        .unwrap_or_default();
    assert!(items.len() >= 6, "{}", items.len());
    assert!(items.iter().all(|i| !format!("{i:?}").contains(JANE.0)));

    assert_admin_contract(&contract);
    flow.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supervisor_deletes_every_token_of_a_device_after_the_preview() {
    // GIVEN two active tokens on Jane's phone and one on her tablet
    let flow = start_with(
        "ab",
        &[("RetryBackoffBaseSeconds", "1")],
        Some(std::time::Duration::from_secs(1)),
    )
    .await;
    let (a, b, tablet) = (tur(711), tur(712), tur(713));
    flow.provision_mdes(&a, true).await;
    flow.provision_mdes(&b, true).await;
    flow.provision_mdes_on(&tablet, true, "jane-tablet-1").await;
    let supervisor = sign_in(&flow, "supervisor@bank.test").await;
    let mut contract = Vec::new();
    use reqwest::Method;
    // WHEN the supervisor previews deleting every token of the phone
    let preview_path = format!("/admin-api/v1/devices/{JANE_DEVICE}/tokens/delete/preview");
    let (status, preview) = admin(&flow, &supervisor, Method::GET, &preview_path, None).await;
    // THEN the phone's two tokens, both to change; nothing sent yet
    assert_eq!(status, 200, "{preview}");
    assert_eq!(preview["changing"], 2, "{preview}");
    let listed: Vec<&str> = preview["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["tokenId"].as_str().unwrap())
        .collect();
    assert!(
        listed.contains(&a.as_str())
            && listed.contains(&b.as_str())
            && !listed.contains(&tablet.as_str())
    );
    contract.push(("BulkPreview", preview));
    assert!(flow.network_calls("mdes", "/token/delete").await.is_empty());
    // WHEN they start it
    let (status, accepted) = admin(
        &flow,
        &supervisor,
        Method::POST,
        &format!("/admin-api/v1/devices/{JANE_DEVICE}/tokens/delete"),
        Some(json!({"reasonCode": "DEVICE_STOLEN", "comment": "Phone stolen"})),
    )
    .await;
    assert_eq!(status, 202, "{accepted}");
    contract.push(("JobAccepted", accepted.clone()));
    // THEN the job ends DONE, both deleted at MDES, for the supervisor; the tablet's token stays
    let job = finished_job(&flow, &supervisor, &accepted).await;
    assert_eq!(job["status"], "DONE", "{job}");
    assert_eq!(job["succeeded"], 2);
    contract.push(("JobResponse", job));
    let deletes = flow.network_calls("mdes", "/token/delete").await;
    assert_eq!(deletes.len(), 2);
    assert!(
        deletes
            .iter()
            .all(|c| c["body"]["TokenDeleteRequest"]["AuditInfo"]["UserId"]
                == "supervisor@bank.test")
    );
    let (_, tablet_page) = admin(
        &flow,
        &supervisor,
        Method::GET,
        &format!("/admin-api/v1/tokens/{tablet}"),
        None,
    )
    .await;
    assert_eq!(tablet_page["status"], "ACTIVE");
    assert_eq!(
        tablet_page["bulkActions"],
        json!(["suspend", "unsuspend", "delete"])
    );
    assert_eq!(tablet_page["deviceId"], "jane-tablet-1");
    contract.push(("TokenPage", tablet_page));

    assert_admin_contract(&contract);
    flow.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customer_service_finds_tokens_by_last_four_phone_wallet_and_day() {
    // GIVEN Jane's Mastercard token and Alex's Visa token, both Apple Pay, made today
    let flow = start(&[]).await;
    let (mc, visa) = (tur(721), visa_ref(722));
    flow.provision_mdes(&mc, true).await;
    flow.provision_visa(&visa).await;
    let agent = sign_in(&flow, "agent@bank.test").await;
    let supervisor = sign_in(&flow, "supervisor@bank.test").await;
    let mut contract = Vec::new();
    let search = |body: Value| {
        let (flow, agent) = (&flow, &agent);
        async move {
            let (status, found) = admin(
                flow,
                agent,
                reqwest::Method::POST,
                "/admin-api/v1/tokens/search",
                Some(body),
            )
            .await;
            assert_eq!(status, 200, "{found}");
            found
        }
    };
    let refs = |found: &Value| -> Vec<String> {
        found["tokens"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["tokenReference"].as_str().unwrap().to_owned())
            .collect()
    };
    // WHEN the agent searches by the card's last four and expiry THEN Jane's token
    let (_, mm, yy, _) = JANE;
    let found = search(json!({"last4": "4444", "expiry": format!("{mm}/{yy}")})).await;
    assert_eq!(refs(&found), [mc.as_str()]);
    assert_eq!(found["tokens"][0]["wallet"], "APPLE_PAY");
    contract.push(("SearchResponse", found));
    // AND another expiry finds nothing
    let found = search(json!({"last4": "4444", "expiry": "01/30"})).await;
    assert!(refs(&found).is_empty());
    // WHEN by Jane's phone number, written as she would say it THEN her token only
    let found = search(json!({"phoneNumber": "+44 7700 900123"})).await;
    assert_eq!(refs(&found), [mc.as_str()]);
    // WHEN today's Apple Pay tokens on Visa THEN Alex's
    let today = OffsetDateTime::now_utc().date().to_string();
    let found = search(json!({"from": today, "wallet": "APPLE_PAY", "network": "VISA"})).await;
    assert_eq!(refs(&found), [visa.as_str()]);
    contract.push(("SearchResponse", found));
    // AND today's tokens, one per page, are both, newest first
    let first = search(json!({"from": today, "limit": 1})).await;
    assert_eq!(refs(&first), [visa.as_str()]);
    let cursor = first["nextCursor"].as_str().unwrap().to_owned();
    let second = search(json!({"from": today, "limit": 1, "cursor": cursor})).await;
    assert_eq!(refs(&second), [mc.as_str()]);
    // AND a range ending before today finds neither
    let found = search(json!({"from": "2026-01-01", "to": "2026-01-31"})).await;
    assert!(refs(&found).is_empty());
    // AND a search that names two keys is refused in problem+json, without its values
    let (status, problem) = admin(
        &flow,
        &agent,
        reqwest::Method::POST,
        "/admin-api/v1/tokens/search",
        Some(json!({"phoneNumber": "+44 7700 900123", "cardId": "card-0001"})),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert!(!problem.to_string().contains("900123"));
    contract.push(("Problem", problem));

    // WHEN the agent opens Jane's token once its notices went out
    let page_path = format!("/admin-api/v1/tokens/{mc}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let page = loop {
        let (status, page) = admin(&flow, &agent, reqwest::Method::GET, &page_path, None).await;
        assert_eq!(status, 200, "{page}");
        let kinds: Vec<&str> = page["deliveries"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|d| d["kind"].as_str())
            .collect();
        if kinds.contains(&"CARDHOLDER_NOTICE") && kinds.contains(&"ISSUER_EVENT") {
            break page;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no deliveries: {page}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    };
    // THEN the page lists the "card added" text to Jane and the events to the issuer, never a text
    let deliveries = page["deliveries"].as_array().unwrap();
    assert!(deliveries.iter().any(|d| d["kind"] == "CARDHOLDER_NOTICE"
        && d["channel"] == "SMS"
        && d["result"] == "DELIVERED"
        && d["eventType"] == "TOKEN_ACTIVATED"));
    assert!(deliveries.iter().any(|d| d["kind"] == "ISSUER_EVENT"
        && d["channel"] == "WEBHOOK"
        && d["eventType"] == "TOKEN_AUTHORIZED"));
    assert!(!page.to_string().contains("7700900123"));
    contract.push(("TokenPage", page));

    // THEN the audit log names the phone by its last four only
    let (_, log) = admin(
        &flow,
        &supervisor,
        reqwest::Method::GET,
        "/admin-api/v1/audit?limit=200",
        None,
    )
    .await;
    let targets: Vec<&str> = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["target"].as_str())
        .collect();
    assert!(targets.contains(&"phone ***0123"), "{targets:?}");
    assert!(
        targets.contains(&"last4 ****4444 expiry 12/30"),
        "{targets:?}"
    );
    assert!(targets.iter().all(|t| !t.contains("900123")), "{targets:?}");
    // AND neither the phone number nor the PAN is anywhere in the token table
    let items = table_items(&flow).await;
    assert!(items.iter().any(|i| i.contains("PHONE#")));
    for secret in ["7700900123", "900123", JANE.0, ALEX_PAN] {
        assert!(items.iter().all(|i| !i.contains(secret)), "{secret} stored");
    }
    assert_admin_contract(&contract);
    flow.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_count_every_decision_and_activation_and_their_csv_matches_the_store() {
    // GIVEN two Apple Pay tokens at Mastercard (one activated, one not) and one at Visa
    let flow = start(&[]).await;
    let (active, pending, visa) = (tur(731), tur(732), visa_ref(733));
    flow.provision_mdes(&active, true).await;
    flow.provision_mdes(&pending, false).await;
    flow.provision_visa(&visa).await;
    let (viewer, agent) = (
        sign_in(&flow, "viewer@bank.test").await,
        sign_in(&flow, "agent@bank.test").await,
    );
    // AND an agent suspends the active Mastercard token
    let (status, _) = admin(
        &flow,
        &agent,
        reqwest::Method::POST,
        &format!("/admin-api/v1/tokens/{active}/suspend"),
        Some(json!({"reasonCode": "DEVICE_LOST"})),
    )
    .await;
    assert_eq!(status, 200);
    let mut contract = Vec::new();
    use reqwest::Method;
    // WHEN a viewer reads the funnel, once the stream has been counted
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let funnel = loop {
        let (status, funnel) = admin(
            &flow,
            &viewer,
            Method::GET,
            "/admin-api/v1/reports/funnel",
            None,
        )
        .await;
        assert_eq!(status, 200, "{funnel}");
        let rows = funnel["rows"].as_array().unwrap();
        let requests: u64 = rows.iter().map(|r| r["requests"].as_u64().unwrap()).sum();
        let activations: u64 = rows
            .iter()
            .map(|r| r["activations"].as_u64().unwrap())
            .sum();
        if requests == 3 && activations == 2 {
            break funnel;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "not counted: {funnel}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    };
    // THEN today's rows: Mastercard 2 green, 1 activated; Visa 1 green, 1 activated
    let today = OffsetDateTime::now_utc().date().to_string();
    let row = |network: &str| {
        funnel["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["network"] == network && r["day"] == today.as_str())
            .unwrap_or_else(|| panic!("no {network} row: {funnel}"))
            .clone()
    };
    let mc = row("MASTERCARD");
    assert_eq!(
        (
            &mc["requests"],
            &mc["green"],
            &mc["activations"],
            &mc["wallet"]
        ),
        (&json!(2), &json!(2), &json!(1), &json!("APPLE_PAY"))
    );
    assert_eq!(mc["tokenRequestorId"], MDES_TR);
    assert_eq!(
        (&mc["settled"], &mc["abandoned"]),
        (&json!(false), &Value::Null)
    );
    let v = row("VISA");
    assert_eq!((&v["requests"], &v["activations"]), (&json!(1), &json!(1)));
    contract.push(("FunnelReport", funnel.clone()));
    // AND the CSV download has exactly those rows, and they are what the store decided
    let r = flow
        .http
        .get(flow.url("/admin-api/v1/reports/funnel?format=csv"))
        .bearer_auth(&viewer)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv"),
        "{:?}",
        r.headers()
    );
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.starts_with("attachment; filename=\"funnel-"),
        "{disposition}"
    );
    let csv = r.text().await.unwrap();
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(
        lines[0],
        "day,network,tokenRequestorId,wallet,requests,green,yellow,orange,red,activations,abandoned,settled"
    );
    let from_csv = funnel_from_csv(&csv);
    assert_eq!(from_csv, funnel_from_the_store(&flow).await);
    assert!(!csv.contains(JANE.0) && !csv.contains(ALEX_PAN));

    // WHEN the viewer reads the active tokens and the Apple Pay report
    let (status, active_report) = admin(
        &flow,
        &viewer,
        Method::GET,
        "/admin-api/v1/reports/active-tokens",
        None,
    )
    .await;
    // THEN only the Visa token is active now (the Mastercard one was suspended)
    assert_eq!(status, 200, "{active_report}");
    assert_eq!(
        active_report["rows"],
        json!([{"network": "VISA", "wallet": "APPLE_PAY", "activeTokens": 1}])
    );
    contract.push(("ActiveTokensReport", active_report));
    let (status, apple) = admin(
        &flow,
        &viewer,
        Method::GET,
        "/admin-api/v1/reports/apple-pay",
        None,
    )
    .await;
    assert_eq!(status, 200, "{apple}");
    assert_eq!(apple["rows"].as_array().unwrap().len(), 2);
    contract.push(("ApplePayReport", apple));
    let r = flow
        .http
        .get(flow.url("/admin-api/v1/reports/apple-pay?format=csv"))
        .bearer_auth(&viewer)
        .send()
        .await
        .unwrap();
    let csv = r.text().await.unwrap();
    assert!(
        csv.contains(&format!("total,VISA,{VISA_TR},1,1,0,0,0,1,1\r\n")),
        "{csv}"
    );
    assert!(
        csv.contains(&format!("total,MASTERCARD,{MDES_TR},2,2,0,0,0,1,0\r\n")),
        "{csv}"
    );
    // AND a range past the limit is refused in problem+json
    let (status, problem) = admin(
        &flow,
        &viewer,
        Method::GET,
        "/admin-api/v1/reports/funnel?from=2026-01-01&to=2026-12-01",
        None,
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    contract.push(("Problem", problem));
    // AND the supervisor exports the audit log with every report read in it
    let supervisor = sign_in(&flow, "supervisor@bank.test").await;
    let r = flow
        .http
        .get(flow.url("/admin-api/v1/audit?format=csv"))
        .bearer_auth(&supervisor)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let audit_csv = r.text().await.unwrap();
    assert!(
        audit_csv.starts_with(
            "auditId,at,actor,roles,action,target,reasonCode,sourceIp,result,status\r\n"
        )
    );
    assert!(
        audit_csv.contains(",viewer@bank.test,viewer,READ_REPORT,funnel days "),
        "{audit_csv}"
    );
    assert!(
        audit_csv.contains(",agent@bank.test,agent,SUSPEND_TOKEN,"),
        "{audit_csv}"
    );
    let (_, log) = admin(&flow, &supervisor, Method::GET, "/admin-api/v1/audit", None).await;
    assert_eq!(log["entries"][0]["action"], "EXPORT_AUDIT");
    // AND an agent may not export it
    let r = flow
        .http
        .get(flow.url("/admin-api/v1/audit?format=csv"))
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_admin_contract(&contract);
    flow.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supervisor_reports_a_card_stolen_and_every_token_of_it_follows() {
    // GIVEN two active Mastercard tokens of Jane's card
    let flow = start_with(
        "ac",
        &[("RetryBackoffBaseSeconds", "1")],
        Some(std::time::Duration::from_secs(1)),
    )
    .await;
    let (a, b) = (tur(741), tur(742));
    flow.provision_mdes(&a, true).await;
    flow.provision_mdes(&b, true).await;
    let (agent, supervisor) = (
        sign_in(&flow, "agent@bank.test").await,
        sign_in(&flow, "supervisor@bank.test").await,
    );
    use reqwest::Method;
    let path = format!("/admin-api/v1/cards/{JANE_CARD_ID}/events");
    let stolen = json!({"type": "STOLEN", "comment": "Wallet stolen"});
    // WHEN an agent tries THEN 403, nothing sent
    let (status, _) = admin(&flow, &agent, Method::POST, &path, Some(stolen.clone())).await;
    assert_eq!(status, 403);
    // AND the token page offers card events to the supervisor only
    let page_path = format!("/admin-api/v1/tokens/{a}");
    let (_, page) = admin(&flow, &agent, Method::GET, &page_path, None).await;
    assert_eq!(page["cardEvents"], json!([]));
    let (_, page) = admin(&flow, &supervisor, Method::GET, &page_path, None).await;
    assert_eq!(
        page["cardEvents"],
        json!(["LOST", "STOLEN", "BLOCKED", "UNBLOCKED", "CLOSED"])
    );
    // WHEN the supervisor reports the card stolen
    let (status, accepted) = admin(&flow, &supervisor, Method::POST, &path, Some(stolen)).await;
    assert_eq!(status, 202, "{accepted}");
    let job = finished_job(&flow, &supervisor, &accepted).await;
    // THEN both tokens are deleted at MDES (the default policy), the supervisor the operator
    assert_eq!(
        (&job["status"], &job["succeeded"]),
        (&json!("DONE"), &json!(2)),
        "{job}"
    );
    let deletes = flow.network_calls("mdes", "/token/delete").await;
    assert_eq!(deletes.len(), 2, "{deletes:?}");
    for call in &deletes {
        let request = &call["body"]["TokenDeleteRequest"];
        assert_eq!(request["AuditInfo"]["UserId"], "supervisor@bank.test");
    }
    let (_, page) = admin(&flow, &supervisor, Method::GET, &page_path, None).await;
    assert_eq!(page["status"], "DEACTIVATED", "{page}");
    let history = page["history"].as_array().unwrap();
    assert!(
        history.iter().any(|l| l["status"] == "DEACTIVATED"
            && l["operator"] == "supervisor@bank.test"
            && l["comment"] == "Wallet stolen"
            && l["reasonCode"] == "CARD_STOLEN"),
        "{history:?}"
    );
    // AND the audit log has the report, its card and its reason, and the agent's refusal
    let (_, log) = admin(&flow, &supervisor, Method::GET, "/admin-api/v1/audit", None).await;
    let entries = log["entries"].as_array().unwrap();
    assert!(entries.iter().any(|e| e["action"] == "POST_CARD_EVENT"
        && e["actor"] == "supervisor@bank.test"
        && e["target"] == format!("cardId {JANE_CARD_ID}").as_str()
        && e["reasonCode"] == "STOLEN"
        && e["result"] == "SUCCEEDED"));
    assert!(entries.iter().any(|e| e["action"] == "POST_CARD_EVENT"
        && e["actor"] == "agent@bank.test"
        && e["result"] == "REFUSED"));
    assert_admin_contract(&[("TokenPage", page), ("AuditPage", log)]);
    flow.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_sets_a_token_requestors_rules_and_the_next_authorization_applies_them() {
    // GIVEN one active Apple Pay token of Jane's card (the deployment allows 10 per card)
    let flow = start(&[]).await;
    flow.provision_mdes(&tur(751), true).await;
    let (admin_token, supervisor) = (
        sign_in(&flow, "admin@bank.test").await,
        sign_in(&flow, "supervisor@bank.test").await,
    );
    use reqwest::Method;
    let path = "/admin-api/v1/decision-rules";
    // WHEN a supervisor asks THEN 403: the rules are the administrators'
    let (status, _) = admin(&flow, &supervisor, Method::GET, path, None).await;
    assert_eq!(status, 403);
    // WHEN the admin reads them THEN the deployment's, version 0
    let (status, rules) = admin(&flow, &admin_token, Method::GET, path, None).await;
    assert_eq!(status, 200, "{rules}");
    assert_eq!(
        (&rules["version"], &rules["source"]),
        (&json!(0), &json!("DEPLOYMENT"))
    );
    assert_eq!(rules["rules"]["default"]["maxLiveTokensPerCard"], 10);
    let mut contract = vec![("DecisionRulesView", rules.clone())];
    // WHEN the admin allows Apple Pay one live token per card
    let one = json!({"default": {}, "tokenRequestors": {MDES_TR: {"maxLiveTokensPerCard": 1}}});
    let (status, set) = admin(
        &flow,
        &admin_token,
        Method::PUT,
        path,
        Some(json!({"version": 0, "rules": one.clone()})),
    )
    .await;
    assert_eq!(status, 200, "{set}");
    assert_eq!(
        (&set["version"], &set["source"]),
        (&json!(1), &json!("ADMIN"))
    );
    assert_eq!(set["updatedBy"], "admin@bank.test");
    assert_eq!(
        set["rules"]["tokenRequestors"][MDES_TR]["maxLiveTokensPerCard"],
        1
    );
    contract.push(("DecisionRulesView", set));
    // AND a replacement made from the old version is refused, and changes nothing
    let (status, problem) = admin(
        &flow,
        &admin_token,
        Method::PUT,
        path,
        Some(json!({"version": 0, "rules": {"default": {}}})),
    )
    .await;
    assert_eq!(status, 409, "{problem}");
    contract.push(("Problem", problem));
    // THEN the next Apple Pay token of the card is declined at MDES's request
    let (status, answer) = flow
        .mdes(
            "authorizeService",
            &json!({
                "requestId": "as-rules-2", "services": ["DIGITIZATION"], "correlationId": "Crules000002",
                "tokenType": "CLOUD", "tokenRequestorId": MDES_TR, "walletId": "103",
                "paymentAppInstanceId": JANE_DEVICE,
                "fundingAccountInfo": {"tokenUniqueReference": tur(752), "encryptedPayload": flow.mdes_card(None)},
                "walletProviderDecisioningInfo": {"recommendedDecision": "APPROVED", "deviceScore": "5", "accountScore": "5"},
            }),
        )
        .await;
    assert_eq!(
        (status, &answer["decision"]),
        (200, &json!("DECLINED")),
        "{answer}"
    );
    // AND the token page says why, with the administrator's limit
    let (_, page) = admin(
        &flow,
        &supervisor,
        Method::GET,
        &format!("/admin-api/v1/tokens/{}", tur(752)),
        None,
    )
    .await;
    assert_eq!(page["decisionTrail"]["decision"], "DECLINED", "{page}");
    assert!(
        page.to_string().contains("(limit 1)"),
        "{}",
        page["decisionTrail"]
    );
    // AND the audit log holds the change, by version
    let (_, log) = admin(&flow, &supervisor, Method::GET, "/admin-api/v1/audit", None).await;
    assert!(
        log["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "UPDATE_RULES"
                && e["actor"] == "admin@bank.test"
                && e["target"] == "decision rules v1"
                && e["result"] == "SUCCEEDED")
    );
    assert_admin_contract(&contract);
    flow.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_changes_an_agents_role_in_the_user_pool_and_it_applies_at_their_next_sign_in() {
    // GIVEN an active token, and the viewer signed in before any change
    let flow = start(&[]).await;
    let mc = tur(761);
    flow.provision_mdes(&mc, true).await;
    let (admin_token, supervisor, viewer_before) = (
        sign_in(&flow, "admin@bank.test").await,
        sign_in(&flow, "supervisor@bank.test").await,
        sign_in(&flow, "viewer@bank.test").await,
    );
    use reqwest::Method;
    let roles_path = "/admin-api/v1/agent-roles";
    // WHEN the admin lists the agents THEN the user pool's four, each in their role group
    let (status, list) = admin(
        &flow,
        &admin_token,
        Method::GET,
        "/admin-api/v1/agents",
        None,
    )
    .await;
    assert_eq!(status, 200, "{list}");
    let role_of = |list: &Value, username: &str| {
        list["agents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["username"] == username)
            .map(|a| a["roles"].clone())
    };
    for (username, role) in [
        ("viewer@bank.test", "viewer"),
        ("agent@bank.test", "agent"),
        ("supervisor@bank.test", "supervisor"),
        ("admin@bank.test", "admin"),
    ] {
        assert_eq!(role_of(&list, username), Some(json!([role])), "{list}");
    }
    // AND each is enabled, with their password set
    assert!(
        list["agents"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["enabled"] == true && a["status"] == "CONFIRMED"),
        "{list}"
    );
    let mut contract = vec![("AgentList", list)];
    // AND a supervisor may neither list nor promote themself
    let (status, _) = admin(
        &flow,
        &supervisor,
        Method::GET,
        "/admin-api/v1/agents",
        None,
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = admin(
        &flow,
        &supervisor,
        Method::PUT,
        roles_path,
        Some(json!({"username": "supervisor@bank.test", "role": "admin"})),
    )
    .await;
    assert_eq!(status, 403);
    // WHEN the admin makes the viewer an agent
    let (status, change) = admin(
        &flow,
        &admin_token,
        Method::PUT,
        roles_path,
        Some(json!({"username": "viewer@bank.test", "role": "agent"})),
    )
    .await;
    // THEN the pool says so, and the viewer's sessions were ended
    assert_eq!(status, 200, "{change}");
    assert_eq!(
        (&change["before"], &change["after"], &change["signedOut"]),
        (&json!(["viewer"]), &json!(["agent"]), &json!(true))
    );
    contract.push(("AgentRoleChange", change));
    // AND the token issued before the change still carries the old role: 403
    let suspend = format!("/admin-api/v1/tokens/{mc}/suspend");
    let reason = json!({"reasonCode": "DEVICE_LOST"});
    let (status, _) = admin(
        &flow,
        &viewer_before,
        Method::POST,
        &suspend,
        Some(reason.clone()),
    )
    .await;
    assert_eq!(status, 403);
    // WHEN the former viewer signs in again THEN they act as an agent
    let promoted = sign_in(&flow, "viewer@bank.test").await;
    let (status, result) = admin(&flow, &promoted, Method::POST, &suspend, Some(reason)).await;
    assert_eq!(status, 200, "{result}");
    assert_eq!(result["status"], "SUSPENDED");
    // AND the admin may not change their own role, nor one of an agent the pool lacks
    for (body, wanted) in [
        (
            json!({"username": "admin@bank.test", "role": "viewer"}),
            409,
        ),
        (
            json!({"username": "nobody@bank.test", "role": "viewer"}),
            404,
        ),
        (json!({"username": "viewer@bank.test", "role": "root"}), 422),
    ] {
        let (status, problem) = admin(
            &flow,
            &admin_token,
            Method::PUT,
            roles_path,
            Some(body.clone()),
        )
        .await;
        assert_eq!(status, wanted, "{body}: {problem}");
        assert!(!problem.to_string().contains("nobody") && !problem.to_string().contains("root"));
        contract.push(("Problem", problem));
    }
    // WHEN the admin takes every role from the agent THEN their next sign-in may do nothing
    let (status, change) = admin(
        &flow,
        &admin_token,
        Method::PUT,
        roles_path,
        Some(json!({"username": "agent@bank.test", "role": null})),
    )
    .await;
    assert_eq!((status, &change["after"]), (200, &json!([])), "{change}");
    let none = sign_in(&flow, "agent@bank.test").await;
    let (status, _) = admin(&flow, &none, Method::GET, "/admin-api/v1/me", None).await;
    assert_eq!(status, 403);
    let (_, list) = admin(
        &flow,
        &admin_token,
        Method::GET,
        "/admin-api/v1/agents",
        None,
    )
    .await;
    assert_eq!(role_of(&list, "viewer@bank.test"), Some(json!(["agent"])));
    assert_eq!(role_of(&list, "agent@bank.test"), Some(json!([])));
    assert_eq!(role_of(&list, "admin@bank.test"), Some(json!(["admin"])));
    // AND the local sign-in answers a wrong password and an agent the pool lacks alike
    let mut refusals = Vec::new();
    for (email, password) in [
        ("viewer@bank.test", "wrong-password"),
        ("nobody@bank.test", "local-password"),
    ] {
        let r = flow
            .http
            .post(flow.url("/_local/admin/sign-in"))
            .json(&json!({"email": email, "password": password}))
            .send()
            .await
            .unwrap();
        refusals.push((r.status().as_u16(), r.text().await.unwrap()));
    }
    assert_eq!(refusals[0].0, 401);
    assert_eq!(refusals[0], refusals[1]);
    // AND the audit log holds each change as "old → new"
    let (_, log) = admin(&flow, &supervisor, Method::GET, "/admin-api/v1/audit", None).await;
    let targets: Vec<&str> = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "SET_AGENT_ROLE" && e["result"] == "SUCCEEDED")
        .map(|e| e["target"].as_str().unwrap())
        .collect();
    assert_eq!(
        targets,
        [
            "agent agent@bank.test: agent → no role",
            "agent viewer@bank.test: viewer → agent"
        ]
    );
    assert_admin_contract(&contract);
    flow.finish().await;
}
