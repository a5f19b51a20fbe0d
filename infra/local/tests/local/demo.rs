//! `make run`'s demo tokens: created through the platform's own TSP API as
//! the networks create them, one per decision path on both networks, and
//! visible through the admin API to a signed-in agent.

use serde_json::{Value, json};
use tmp_local::emulator::EmulatorSource;
use tmp_local::issuer_simulator::CardBook;
use tmp_local::seed::{self, MdesKeySource, VtsKeySource};
use tmp_local::{LocalPlatform, PlatformOptions, workspace_root};

#[tokio::test]
async fn the_demo_tokens_cover_every_path_on_both_networks() {
    // GIVEN the platform as `make run` starts it
    let p = seed::standard_with(
        LocalPlatform::new(PlatformOptions {
            template_path: workspace_root().join("template.yaml"),
            port: 0,
            prefix: format!("d{}-", &uuid::Uuid::new_v4().simple().to_string()[..8]),
            emulator: EmulatorSource::default(),
            ..PlatformOptions::default()
        }),
        CardBook::load(workspace_root().join("infra/local/cards.json")).unwrap(),
        MdesKeySource::GenerateIfMissing,
        VtsKeySource::GenerateIfMissing,
    )
    .start()
    .await
    .unwrap();
    // WHEN the demo tokens are created
    let lines = tmp_local::demo::seed(&p.base_url).await.unwrap();
    // THEN green, yellow and red on MDES, green and red on Visa
    let joined = lines.join("\n");
    assert_eq!(joined.matches(": APPROVED").count(), 2, "{joined}");
    assert_eq!(
        joined
            .matches(": REQUIRE_ADDITIONAL_AUTHENTICATION")
            .count(),
        1,
        "{joined}"
    );
    assert_eq!(joined.matches(": DECLINED").count(), 1, "{joined}");
    assert_eq!(joined.matches("actionCode 00").count(), 1, "{joined}");
    assert_eq!(joined.matches("actionCode 05").count(), 1, "{joined}");
    assert!(!joined.contains("5555555555554444"), "{joined}");
    // AND an agent finds Jane's card's two active tokens in the admin API
    let http = reqwest::Client::new();
    let token: Value = http
        .post(format!("{}/_local/admin/sign-in", p.base_url))
        .json(&json!({"email": "viewer@bank.test", "password": "local-password"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let found: Value = http
        .post(format!("{}/admin-api/v1/tokens/search", p.base_url))
        .bearer_auth(token["access_token"].as_str().unwrap())
        .json(&json!({"cardId": "card-0001"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let statuses: Vec<&str> = found["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["ACTIVE", "ACTIVE"], "{found}");
    p.shutdown().await;
}
