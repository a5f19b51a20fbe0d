//! Bulk actions and card events end to end through the local gateway: the
//! issuer starts a job (202 and its id), tmp-local's SQS poller runs its
//! items through the worker, each token's action goes to its network's
//! simulator, and the issuer follows the job to DONE or PARTIAL; a replay
//! of the start is the same job, a network that keeps failing fails its item
//! after the last attempt (the action left pending), a lost card deletes its
//! tokens. Every answer is checked against `api/tmp-api.openapi.yaml`, and
//! no function did anything its policy does not allow.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::issuer_support::*;

/// The same device for a Mastercard and a Visa token (MDES
/// `paymentAppInstanceId`, VTS `deviceID`).
const SHARED_DEVICE: &str = "shared-phone-1";

/// A platform whose failed job items come back after a second, the backoff
/// starting at a second, so that retries take seconds.
async fn start_jobs(parameters: &[(&str, &str)]) -> Flow {
    let mut all = vec![("RetryBackoffBaseSeconds", "1")];
    all.extend_from_slice(parameters);
    start_with("ij", &all, Some(Duration::from_secs(1))).await
}

fn bulk(reason: &str) -> Value {
    json!({"reasonCode": reason, "comment": "Bulk by the back office", "operator": "agent.17"})
}

/// `POST path` with a body and an Idempotency-Key: a job's start.
async fn post(flow: &Flow, token: &str, path: &str, key: Option<&str>, body: &Value) -> Answer {
    flow.api(reqwest::Method::POST, path, Some(token), key, Some(body))
        .await
}

/// Starts a job and answers its id, the 202 checked.
async fn start_job(
    flow: &Flow,
    token: &str,
    path: &str,
    key: &str,
    body: &Value,
    contract: &mut Vec<(&str, Value)>,
) -> String {
    let accepted = post(flow, token, path, Some(key), body).await;
    assert_eq!(accepted.status, 202, "{path}: {}", accepted.body);
    assert!(
        accepted.content_type.starts_with("application/json"),
        "{}",
        accepted.content_type
    );
    contract.push(("JobAccepted", accepted.body.clone()));
    accepted.body["jobId"].as_str().unwrap().to_owned()
}

async fn get_job(flow: &Flow, token: &str, job_id: &str) -> Answer {
    flow.api(
        reqwest::Method::GET,
        &format!("/api/v1/jobs/{job_id}"),
        Some(token),
        None,
        None,
    )
    .await
}

/// Polls GET /jobs/{id} until it is no longer RUNNING (bounded).
async fn wait_for_job(flow: &Flow, token: &str, job_id: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(45);
    loop {
        let answer = get_job(flow, token, job_id).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        if answer.body["status"] != "RUNNING" {
            return answer.body;
        }
        assert!(
            Instant::now() < deadline,
            "job never finished: {}",
            answer.body
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// The job's item of `token_id`.
fn item<'a>(job: &'a Value, token_id: &str) -> &'a Value {
    job["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["tokenId"] == token_id)
        .unwrap_or_else(|| panic!("no item for {token_id}: {job}"))
}

fn token_ids(job: &Value) -> BTreeSet<String> {
    job["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["tokenId"].as_str().unwrap().to_owned())
        .collect()
}

/// `(total, succeeded, failed)` of a job.
fn counts(job: &Value) -> (u64, u64, u64) {
    let n = |k: &str| job[k].as_u64().unwrap();
    (n("total"), n("succeeded"), n("failed"))
}

/// The last line of a token's history with an operator: the last action
/// the issuer took (a network's notification after it adds lines without one).
fn last_line(token: &Value) -> Value {
    token["history"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|h| h.get("operator").is_some())
        .unwrap_or_else(|| panic!("no action in the history: {token}"))
        .clone()
}

/// The token references MDES received `operation` (`/token/suspend`) for.
async fn mdes_refs(flow: &Flow, operation: &str) -> Vec<String> {
    let mut refs: Vec<String> = flow
        .network_calls("mdes", operation)
        .await
        .iter()
        .map(|c| {
            let request = c["body"].as_object().unwrap().values().next().unwrap();
            request["TokenUniqueReference"].as_str().unwrap().to_owned()
        })
        .collect();
    refs.sort_unstable();
    refs
}

fn sorted(refs: &[&String]) -> Vec<String> {
    let mut refs: Vec<String> = refs.iter().map(|r| (*r).clone()).collect();
    refs.sort_unstable();
    refs
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bulk_action_by_card_or_device_acts_on_every_live_token_once() {
    // GIVEN three active Mastercard tokens of Jane's card on her phone, and a fourth the
    // issuer already deleted
    let flow = start_jobs(&[]).await;
    let (a, b, c, gone) = (tur(101), tur(102), tur(103), tur(104));
    for t in [&a, &b, &c, &gone] {
        flow.provision_mdes(t, true).await;
    }
    let token = flow.access_token(None).await;
    let deleted = flow
        .act(
            &token,
            &gone,
            "delete",
            "idem-jobs-gone-001",
            action("DEVICE_STOLEN"),
        )
        .await;
    assert_eq!(deleted.body["status"], "DEACTIVATED", "{}", deleted.body);
    let mut contract = Vec::new();

    // WHEN the issuer suspends every token of the card
    let path = format!("/api/v1/cards/{JANE_CARD_ID}/tokens/suspend");
    let job_id = start_job(
        &flow,
        &token,
        &path,
        "idem-bulk-card-0001",
        &bulk("SUSPECTED_FRAUD"),
        &mut contract,
    )
    .await;
    let job = wait_for_job(&flow, &token, &job_id).await;
    // THEN the job is DONE with one item per live token, each confirmed by MDES
    assert_eq!(job["jobId"], job_id.as_str());
    assert_eq!(job["status"], "DONE", "{job}");
    assert_eq!(counts(&job), (3, 3, 0), "{job}");
    let live: BTreeSet<String> = [&a, &b, &c].into_iter().cloned().collect();
    assert_eq!(token_ids(&job), live);
    for t in [&a, &b, &c] {
        let i = item(&job, t);
        assert_eq!(
            (&i["outcome"], &i["networkStatus"]),
            (&json!("SUCCEEDED"), &json!("CONFIRMED")),
            "{i}"
        );
        assert!(i.get("problem").is_none(), "{i}");
    }
    contract.push(("JobResponse", job.clone()));
    // AND each token is suspended by the issuer, with the bulk request's reason and operator
    for t in [&a, &b, &c] {
        let details = flow.get_token(&token, t).await.body;
        assert_eq!(details["status"], "SUSPENDED", "{details}");
        assert_eq!(details["suspendedBy"], json!(["ISSUER"]), "{details}");
        let last = last_line(&details);
        assert_eq!(
            (&last["reasonCode"], &last["operator"]),
            (&json!("SUSPECTED_FRAUD"), &json!("agent.17")),
            "{last}"
        );
        let at_mdes = flow
            .simulator_get(&format!("/_local/mdes/tokens/{t}"))
            .await;
        assert_eq!(at_mdes["status"], "SUSPENDED", "{at_mdes}");
    }
    // AND MDES received one token/suspend per token, never for the deleted one
    assert_eq!(
        mdes_refs(&flow, "/token/suspend").await,
        sorted(&[&a, &b, &c])
    );

    // WHEN the issuer retries the same request
    let replay = post(
        &flow,
        &token,
        &path,
        Some("idem-bulk-card-0001"),
        &bulk("SUSPECTED_FRAUD"),
    )
    .await;
    // THEN the same job, and MDES is not called again (after more than a retry's delay)
    assert_eq!(replay.status, 202, "{}", replay.body);
    assert_eq!(replay.body["jobId"], job_id.as_str());
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(flow.network_calls("mdes", "/token/suspend").await.len(), 3);
    assert_eq!(wait_for_job(&flow, &token, &job_id).await, job);
    // AND the key reused for another request is refused
    let reused = post(
        &flow,
        &token,
        &path,
        Some("idem-bulk-card-0001"),
        &bulk("DEVICE_LOST"),
    )
    .await;
    assert_eq!(reused.status, 422, "{}", reused.body);
    assert_eq!(reused.content_type, "application/problem+json");
    contract.push(("Problem", reused.body));

    // WHEN the issuer deletes every token on Jane's phone
    let job_id = start_job(
        &flow,
        &token,
        &format!("/api/v1/devices/{JANE_DEVICE}/tokens/delete"),
        "idem-bulk-device-001",
        &bulk("DEVICE_LOST"),
        &mut contract,
    )
    .await;
    let job = wait_for_job(&flow, &token, &job_id).await;
    // THEN DONE, the three live tokens deleted at MDES and here
    assert_eq!(job["status"], "DONE", "{job}");
    assert_eq!(counts(&job), (3, 3, 0), "{job}");
    assert_eq!(token_ids(&job), live);
    for t in [&a, &b, &c] {
        assert_eq!(item(&job, t)["networkStatus"], "CONFIRMED", "{job}");
        let details = flow.get_token(&token, t).await.body;
        assert_eq!(details["status"], "DEACTIVATED", "{details}");
        assert_eq!(last_line(&details)["reasonCode"], "DEVICE_LOST");
    }
    contract.push(("JobResponse", job));
    // AND MDES received one token/delete per token (and the one the issuer deleted first)
    assert_eq!(
        mdes_refs(&flow, "/token/delete").await,
        sorted(&[&a, &b, &c, &gone])
    );

    assert_contract(&contract);
    flow.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_whose_network_keeps_failing_fails_its_item_after_the_last_attempt() {
    // GIVEN a Mastercard and a Visa token on the same phone, three attempts per item, and VTS
    // failing every lifecycle call with a 500 (nothing applied)
    let attempts = 3;
    let flow = start_jobs(&[("JobItemMaxAttempts", "3")]).await;
    let (mc, visa) = (tur(201), visa_ref(202));
    flow.provision_mdes_on(&mc, true, SHARED_DEVICE).await;
    flow.provision_visa_on(&visa, SHARED_DEVICE).await;
    let token = flow.access_token(None).await;
    flow.simulator_control(
        "/_local/vts/fail-next",
        &json!({"count": 10, "mode": "500"}),
    )
    .await;
    let mut contract = Vec::new();

    // WHEN the issuer suspends every token on the phone
    let job_id = start_job(
        &flow,
        &token,
        &format!("/api/v1/devices/{SHARED_DEVICE}/tokens/suspend"),
        "idem-bulk-partial-01",
        &bulk("DEVICE_LOST"),
        &mut contract,
    )
    .await;
    let job = wait_for_job(&flow, &token, &job_id).await;
    // THEN PARTIAL: the Mastercard item confirmed, the Visa item failed with a problem
    assert_eq!(job["status"], "PARTIAL", "{job}");
    assert_eq!(counts(&job), (2, 1, 1), "{job}");
    let mc_item = item(&job, &mc);
    assert_eq!(
        (&mc_item["outcome"], &mc_item["networkStatus"]),
        (&json!("SUCCEEDED"), &json!("CONFIRMED")),
        "{job}"
    );
    let visa_item = item(&job, &visa);
    assert_eq!(visa_item["outcome"], "FAILED", "{job}");
    assert!(visa_item["problem"]["status"].is_u64(), "{job}");
    assert_ne!(visa_item["networkStatus"], "CONFIRMED", "{job}");
    contract.push(("JobResponse", job.clone()));
    // AND VTS was called once per attempt, always under the same requestID
    let calls = flow.network_calls("vts", "LifeCycle").await;
    assert_eq!(calls.len(), attempts, "{calls:#?}");
    let ids: BTreeSet<&str> = calls
        .iter()
        .map(|c| c["body"]["requestID"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 1, "{ids:?}");
    assert!(
        calls
            .iter()
            .all(|c| c["body"]["tokenReferenceID"] == visa.as_str())
    );
    // AND the Visa token is unchanged, its suspension pending for reconciliation
    let details = flow.get_token(&token, &visa).await.body;
    assert_eq!(details["status"], "ACTIVE", "{details}");
    assert_eq!(
        details["pendingNetworkAction"]["action"], "SUSPEND",
        "{details}"
    );
    let at_visa = flow
        .simulator_get(&format!("/_local/vts/tokens/{visa}"))
        .await;
    assert_eq!(at_visa["status"], "ACTIVE", "{at_visa}");
    contract.push(("TokenDetails", details));
    // AND the Mastercard token is suspended
    let details = flow.get_token(&token, &mc).await.body;
    assert_eq!(details["status"], "SUSPENDED", "{details}");
    // AND the failed item is not run again
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(flow.network_calls("vts", "LifeCycle").await.len(), attempts);

    assert_contract(&contract);
    flow.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn card_events_block_and_unblock_the_cards_tokens_and_a_lost_card_deletes_them() {
    // GIVEN three active tokens of Jane's card, one already suspended by the issuer for fraud
    let flow = start_jobs(&[]).await;
    let (fraud, b, c) = (tur(301), tur(302), tur(303));
    for t in [&fraud, &b, &c] {
        flow.provision_mdes(t, true).await;
    }
    let token = flow.access_token(None).await;
    let suspended = flow
        .act(
            &token,
            &fraud,
            "suspend",
            "idem-events-fraud-1",
            action("SUSPECTED_FRAUD"),
        )
        .await;
    assert_eq!(suspended.body["status"], "SUSPENDED", "{}", suspended.body);
    let mut contract = Vec::new();
    let events = format!("/api/v1/cards/{JANE_CARD_ID}/events");

    // WHEN the issuer reports the card blocked
    let job_id = start_job(
        &flow,
        &token,
        &events,
        "idem-event-blocked-1",
        &json!({"type": "BLOCKED"}),
        &mut contract,
    )
    .await;
    let job = wait_for_job(&flow, &token, &job_id).await;
    // THEN every token is in the job, the two active ones suspended for the block, the one
    // the issuer suspended already left as it is (nothing sent)
    assert_eq!(job["status"], "DONE", "{job}");
    assert_eq!(counts(&job), (3, 3, 0), "{job}");
    let untouched = item(&job, &fraud);
    assert_eq!(untouched["outcome"], "SUCCEEDED", "{job}");
    assert!(untouched.get("networkStatus").is_none(), "{job}");
    for t in [&b, &c] {
        assert_eq!(item(&job, t)["networkStatus"], "CONFIRMED", "{job}");
        let details = flow.get_token(&token, t).await.body;
        assert_eq!(details["status"], "SUSPENDED", "{details}");
        assert_eq!(details["suspendedBy"], json!(["ISSUER"]));
        assert_eq!(last_line(&details)["reasonCode"], "CARD_BLOCKED");
    }
    contract.push(("JobResponse", job));
    assert_eq!(
        mdes_refs(&flow, "/token/suspend").await,
        sorted(&[&fraud, &b, &c])
    );

    // WHEN the issuer reports it unblocked
    let job_id = start_job(
        &flow,
        &token,
        &events,
        "idem-event-unblock-1",
        &json!({"type": "UNBLOCKED"}),
        &mut contract,
    )
    .await;
    let job = wait_for_job(&flow, &token, &job_id).await;
    // THEN the block's suspensions are lifted, never the fraud suspension
    assert_eq!(job["status"], "DONE", "{job}");
    for t in [&b, &c] {
        let details = flow.get_token(&token, t).await.body;
        assert_eq!(details["status"], "ACTIVE", "{details}");
        assert_eq!(last_line(&details)["reasonCode"], "CARD_UNBLOCKED");
    }
    let details = flow.get_token(&token, &fraud).await.body;
    assert_eq!(details["status"], "SUSPENDED", "{details}");
    assert_eq!(
        mdes_refs(&flow, "/token/unsuspend").await,
        sorted(&[&b, &c])
    );
    contract.push(("JobResponse", job));

    // WHEN the issuer reports the card lost (the default policy: delete)
    let job_id = start_job(
        &flow,
        &token,
        &events,
        "idem-event-lost-0001",
        &json!({"type": "LOST"}),
        &mut contract,
    )
    .await;
    let job = wait_for_job(&flow, &token, &job_id).await;
    // THEN every live token of the card is deleted, at MDES and here, for the lost card
    assert_eq!(job["status"], "DONE", "{job}");
    assert_eq!(counts(&job), (3, 3, 0), "{job}");
    for t in [&fraud, &b, &c] {
        assert_eq!(item(&job, t)["networkStatus"], "CONFIRMED", "{job}");
        let details = flow.get_token(&token, t).await.body;
        assert_eq!(details["status"], "DEACTIVATED", "{details}");
        assert_eq!(last_line(&details)["reasonCode"], "CARD_LOST", "{details}");
        contract.push(("TokenDetails", details));
    }
    assert_eq!(
        mdes_refs(&flow, "/token/delete").await,
        sorted(&[&fraud, &b, &c])
    );
    contract.push(("JobResponse", job));

    assert_contract(&contract);
    flow.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn job_requests_the_contract_refuses_are_problems_and_start_nothing() {
    // GIVEN an active token of Jane's card, a write token, and a read-only one
    let flow = start_jobs(&[]).await;
    let mc = tur(401);
    flow.provision_mdes(&mc, true).await;
    let write = flow.access_token(Some("tmp/tokens.write")).await;
    let read_only = flow.access_token(Some("tmp/tokens.read")).await;
    let card = format!("/api/v1/cards/{JANE_CARD_ID}");
    let replaced = json!({"type": "REPLACED", "newPan": "5105105105105101", "newExpiry": "09/30"});
    // WHEN a start lacks its Idempotency-Key, names no bulk action, is made with a read-only
    // token, asks a reason its action does not allow, or replaces the card by a number that
    // fails the Luhn check
    let cases: [(&str, String, Option<&str>, &Value, u16); 5] = [
        (
            write.as_str(),
            format!("{card}/tokens/suspend"),
            None,
            &bulk("SUSPECTED_FRAUD"),
            400,
        ),
        (
            write.as_str(),
            format!("{card}/tokens/wipe"),
            Some("idem-refused-job-01"),
            &bulk("SUSPECTED_FRAUD"),
            404,
        ),
        (
            read_only.as_str(),
            format!("{card}/events"),
            Some("idem-refused-job-02"),
            &json!({"type": "LOST"}),
            403,
        ),
        (
            write.as_str(),
            format!("{card}/tokens/suspend"),
            Some("idem-refused-job-03"),
            &bulk("FRAUD_CLEARED"),
            422,
        ),
        (
            write.as_str(),
            format!("{card}/events"),
            Some("idem-refused-job-04"),
            &replaced,
            422,
        ),
    ];
    let mut problems = Vec::new();
    for (bearer, path, key, body, status) in cases {
        let answer = post(&flow, bearer, &path, key, body).await;
        // THEN each is refused in problem+json
        assert_eq!(answer.status, status, "{path}: {}", answer.body);
        assert_eq!(answer.content_type, "application/problem+json", "{path}");
        assert_eq!(answer.body["status"], status, "{path}");
        problems.push(("Problem", answer.body));
    }
    // AND a job that does not exist is 404, and a write-only token cannot read one
    let unknown = get_job(&flow, &read_only, "job_000000000000000000000000").await;
    assert_eq!(unknown.status, 404, "{}", unknown.body);
    assert_eq!(unknown.content_type, "application/problem+json");
    problems.push(("Problem", unknown.body));
    let write_only = get_job(&flow, &write, "job_000000000000000000000000").await;
    assert_eq!(write_only.status, 403, "{}", write_only.body);
    problems.push(("Problem", write_only.body));
    // AND nothing reached MDES: the token is as it was
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(flow.network_calls("mdes", "/token/").await.is_empty());
    let details = flow.get_token(&read_only, &mc).await.body;
    assert_eq!(details["status"], "ACTIVE", "{details}");

    // AND no answer echoes the refused number
    assert!(
        problems
            .iter()
            .all(|(_, p)| !p.to_string().contains("5105105105105101"))
    );

    assert_contract(&problems);
    flow.finish().await;
}

/// The token ids a search finds.
async fn found(flow: &Flow, token: &str, body: Value) -> BTreeSet<String> {
    let answer = flow.search(token, body).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.body["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["tokenId"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replaced_card_moves_its_tokens_to_the_new_pan_at_both_networks_and_here() {
    // GIVEN Jane's Mastercard with two active tokens and one still awaiting activation, and
    // Alex's Visa card with one active token
    let flow = start_jobs(&[]).await;
    let (a, b, waiting) = (tur(501), tur(502), tur(503));
    flow.provision_mdes(&a, true).await;
    flow.provision_mdes(&b, true).await;
    flow.provision_mdes(&waiting, false).await;
    let visa = visa_ref(504);
    flow.provision_visa(&visa).await;
    let token = flow.access_token(None).await;
    let mut contract = Vec::new();
    const NEW_MC: &str = "5105105105105100";
    const NEW_VISA: &str = "4012888888881881";

    // WHEN the issuer reports Jane's card replaced by a new number and expiry
    let job_id = start_job(
        &flow,
        &token,
        &format!("/api/v1/cards/{JANE_CARD_ID}/events"),
        "idem-event-replaced-01",
        &json!({"type": "REPLACED", "newPan": NEW_MC, "newExpiry": "09/30"}),
        &mut contract,
    )
    .await;
    let job = wait_for_job(&flow, &token, &job_id).await;
    // THEN the job is done: the two active tokens mapped at MDES, the waiting one left
    assert_eq!(job["status"], "DONE", "{job}");
    assert_eq!(counts(&job), (3, 3, 0), "{job}");
    assert_eq!(item(&job, &a)["networkStatus"], "CONFIRMED", "{job}");
    assert!(item(&job, &waiting).get("networkStatus").is_none(), "{job}");
    contract.push(("JobResponse", job));
    // AND MDES received one signed token/update per active token, with the new PAN and MMYY
    let updates = flow.network_calls("mdes", "/token/update").await;
    assert_eq!(mdes_refs(&flow, "/token/update").await, sorted(&[&a, &b]));
    for call in &updates {
        let request = &call["body"]["TokenUpdateRequest"];
        assert_eq!(request["NewAccountPan"], NEW_MC, "{call}");
        assert_eq!(request["ExpirationDate"], "0930", "{call}");
        assert_eq!(request["AuditInfo"]["UserId"], "card-event", "{call}");
        assert!(
            call["headers"]["authorization"]
                .as_str()
                .is_some_and(|h| h.starts_with("OAuth ") && h.contains("oauth_body_hash"))
        );
    }
    let at_mdes = flow
        .simulator_get(&format!("/_local/mdes/tokens/{a}"))
        .await;
    assert_eq!(at_mdes["accountPanSuffix"], "5100", "{at_mdes}");
    // AND here the two are on the new card (last four, history), the waiting one on the old
    for t in [&a, &b] {
        let details = flow.get_token(&token, t).await.body;
        assert_eq!(details["panLast4"], "5100", "{details}");
        assert_eq!(details["status"], "ACTIVE", "{details}");
        assert_eq!(
            last_line(&details)["reasonCode"],
            "CARD_REPLACED",
            "{details}"
        );
        contract.push(("TokenDetails", details));
    }
    let details = flow.get_token(&token, &waiting).await.body;
    assert_eq!(details["panLast4"], "4444", "{details}");
    // AND the new PAN finds the moved tokens, the old one the waiting token, the card id all three
    assert_eq!(
        found(&flow, &token, json!({"pan": NEW_MC})).await,
        sorted(&[&a, &b]).into_iter().collect()
    );
    assert_eq!(
        found(&flow, &token, json!({"pan": JANE.0})).await,
        [waiting.clone()].into_iter().collect()
    );
    assert_eq!(
        found(&flow, &token, json!({"cardId": JANE_CARD_ID})).await,
        sorted(&[&a, &b, &waiting]).into_iter().collect()
    );

    // WHEN Alex's Visa card is replaced, then renewed
    let alex_events = "/api/v1/cards/card-0011/events";
    let job_id = start_job(
        &flow,
        &token,
        alex_events,
        "idem-event-replaced-02",
        &json!({"type": "REPLACED", "newPan": NEW_VISA, "newExpiry": "10/30"}),
        &mut contract,
    )
    .await;
    let job = wait_for_job(&flow, &token, &job_id).await;
    assert_eq!(job["status"], "DONE", "{job}");
    contract.push(("JobResponse", job));
    let job_id = start_job(
        &flow,
        &token,
        alex_events,
        "idem-event-renewed-01",
        &json!({"type": "RENEWED", "newExpiry": "11/31"}),
        &mut contract,
    )
    .await;
    let job = wait_for_job(&flow, &token, &job_id).await;
    assert_eq!(job["status"], "DONE", "{job}");
    contract.push(("JobResponse", job));
    // THEN VTS received a PAN update (3721) then an expiry update (3720), the card data only
    // inside cardholderInfo, encrypted for Visa: VTS opened it and holds the new card
    let lifecycle = flow.network_calls("vts", "/LifeCycle/").await;
    let codes: Vec<&str> = lifecycle
        .iter()
        .map(|c| c["body"]["messageReasonCode"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["3721", "3720"]);
    for call in &lifecycle {
        assert!(!call.to_string().contains(NEW_VISA), "{call}");
        assert_eq!(
            call["body"]["cardholderInfo"]["encryptedData"]
                .as_str()
                .unwrap()
                .split('.')
                .count(),
            5
        );
    }
    let at_visa = flow
        .simulator_get(&format!("/_local/vts/tokens/{visa}"))
        .await;
    assert_eq!(at_visa["lastFourOfPAN"], "1881", "{at_visa}");
    assert_eq!(at_visa["panExpiration"], "11/2031", "{at_visa}");
    let details = flow.get_token(&token, &visa).await.body;
    assert_eq!(details["panLast4"], "1881", "{details}");
    assert_eq!(
        last_line(&details)["reasonCode"],
        "CARD_RENEWED",
        "{details}"
    );
    contract.push(("TokenDetails", details));
    assert_eq!(
        found(&flow, &token, json!({"pan": NEW_VISA})).await,
        [visa.clone()].into_iter().collect()
    );

    // AND no new PAN is anywhere in the table (only sealed, fingerprinted, last four)
    for stored in table_items(&flow).await {
        assert!(
            !stored.contains(NEW_MC) && !stored.contains(NEW_VISA),
            "{stored}"
        );
    }

    assert_contract(&contract);
    flow.finish().await;
}
