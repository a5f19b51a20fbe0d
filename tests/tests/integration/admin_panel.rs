//! The admin panel itself, in headless Chromium (Debian's `chromium`,
//! driven by `playwright-core` from `admin/e2e/panel.mjs`), against the real
//! platform serving the built panel at `/admin/`: an agent signs in, finds a
//! card's token, suspends it with a reason and sees the history line; a
//! viewer finds no action control and the admin API refuses the same call
//! (403); a supervisor finds both in the audit log, then deletes every token
//! of the phone after the preview and follows the job, exports the audit log
//! and downloads the funnel report, whose rows must be what the store
//! decided; last, an administrator makes the viewer an agent on the Agents
//! page, and the viewer's next sign-in is an agent's. Screenshots of the main pages are written under
//! `target/admin-screenshots/`, the downloads under `target/admin-downloads/`.
//! The server side is checked here too: the token is suspended at MDES, with
//! the agent as the operator, and no function did anything its policy does
//! not allow.

use std::time::Duration;

use super::issuer_support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_panel_lets_each_role_do_what_it_may_in_a_real_browser() {
    // GIVEN Jane's card with two active Mastercard tokens, and the built panel
    let root = tmp_local::workspace_root();
    assert!(
        root.join("admin/dist/index.html").is_file(),
        "the admin panel is not built: `make test` builds it (npm --prefix admin ci && npm --prefix admin run build)"
    );
    let flow = start_with(
        "ap",
        &[("RetryBackoffBaseSeconds", "1")],
        Some(Duration::from_secs(1)),
    )
    .await;
    let (first, second) = (tur(801), tur(802));
    flow.provision_mdes(&first, true).await;
    flow.provision_mdes(&second, true).await;
    let screenshots = root.join("target/admin-screenshots");
    std::fs::create_dir_all(&screenshots).unwrap();
    let downloads = root.join("target/admin-downloads");
    let _ = std::fs::remove_dir_all(&downloads);
    std::fs::create_dir_all(&downloads).unwrap();
    let (_, mm, yy, _) = JANE;
    // WHEN the browser script runs each role's scenarios
    let run = tokio::process::Command::new("node")
        .arg("e2e/panel.mjs")
        .args(["--base", &flow.platform.base_url])
        .args(["--card", JANE_CARD_ID])
        .args(["--last4", &JANE.0[12..], "--expiry", &format!("{mm}/{yy}")])
        .arg("--screenshots")
        .arg(&screenshots)
        .arg("--downloads")
        .arg(&downloads)
        .current_dir(root.join("admin"))
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(Duration::from_secs(180), run)
        .await
        .expect("the browser scenarios took more than 3 minutes")
        .expect("node could not be started");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    // THEN every step passed
    assert!(
        output.status.success(),
        "browser scenarios failed\n--- stdout\n{stdout}\n--- stderr\n{stderr}"
    );
    // AND MDES suspended exactly one of the card's tokens, for the agent
    let calls = flow.network_calls("mdes", "/token/suspend").await;
    assert_eq!(calls.len(), 1, "{calls:?}");
    let request = &calls[0]["body"]["TokenSuspendRequest"];
    assert_eq!(request["AuditInfo"]["UserId"], "agent@bank.test");
    assert_eq!(request["ReasonCode"], "L");
    let suspended = request["TokenUniqueReference"].as_str().unwrap();
    assert!([first.as_str(), second.as_str()].contains(&suspended));
    // AND the funnel the supervisor downloaded is what the store decided
    let csv = std::fs::read_to_string(downloads.join("funnel.csv")).expect("funnel.csv not saved");
    let from_csv = funnel_from_csv(&csv);
    assert_eq!(from_csv, funnel_from_the_store(&flow).await);
    assert!(!csv.contains(JANE.0));
    // AND the audit export (the viewer's entries, as the page was filtered) holds the refusal
    let audit = std::fs::read_to_string(downloads.join("audit.csv")).expect("audit.csv not saved");
    assert!(
        audit.contains(",viewer@bank.test,viewer,SUSPEND_TOKEN,,,127.0.0.1,REFUSED,403\r\n"),
        "{audit}"
    );
    assert!(!audit.contains("agent@bank.test"), "{audit}");
    // AND the viewer is an agent in the user pool now, the change audited as the admin's
    let supervisor = super::admin_api::sign_in(&flow, "supervisor@bank.test").await;
    let (status, log) = super::admin_api::admin(
        &flow,
        &supervisor,
        reqwest::Method::GET,
        "/admin-api/v1/audit?actor=admin@bank.test",
        None,
    )
    .await;
    assert_eq!(status, 200, "{log}");
    assert!(
        log["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "SET_AGENT_ROLE"
                && e["target"] == "agent viewer@bank.test: viewer → agent"
                && e["result"] == "SUCCEEDED"),
        "{log}"
    );
    // AND the screenshots of the main pages were written
    for page in [
        "sign-in.png",
        "search.png",
        "token-page.png",
        "audit-log.png",
        "reports.png",
        "agents.png",
    ] {
        let size = std::fs::metadata(screenshots.join(page))
            .map(|m| m.len())
            .unwrap_or(0);
        assert!(size > 1000, "{page} not written");
    }
    flow.finish().await;
}
