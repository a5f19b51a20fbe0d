//! The reports' counters on DynamoDB (moto, the real SDK client): each
//! decision, status change and first activation counts once however often
//! the stream delivers it; a range of days is read across months.

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
};
use time::macros::date;
use tmp_aws::dynamodb::reports::ReportsTable;
use tmp_core::domain::Network;
use tmp_core::domain::report::{DecisionFact, DecisionPath, FunnelKey};
use tmp_core::domain::wallet::Wallet;
use tmp_core::ports::{ActiveChange, Counted, ReportStore};
use tmp_testkit::moto::Emulator;

async fn table() -> ReportsTable {
    let emulator = Emulator::for_tests().await;
    let config = emulator.sdk_config().await;
    let client = aws_sdk_dynamodb::Client::new(&config);
    let name = format!("reports-{}", uuid::Uuid::new_v4());
    let attribute = |name: &str| {
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(ScalarAttributeType::S)
            .build()
            .unwrap()
    };
    let key = |name: &str, kind: KeyType| {
        KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(kind)
            .build()
            .unwrap()
    };
    client
        .create_table()
        .table_name(&name)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(attribute("pk"))
        .attribute_definitions(attribute("sk"))
        .key_schema(key("pk", KeyType::Hash))
        .key_schema(key("sk", KeyType::Range))
        .send()
        .await
        .unwrap();
    ReportsTable::new(client, &name)
}

fn key(day: time::Date) -> FunnelKey {
    FunnelKey {
        day,
        network: Network::Mastercard,
        token_requestor_id: Some("50110030273".to_owned()),
    }
}

fn decision(id: &str, day: time::Date, path: DecisionPath) -> DecisionFact {
    DecisionFact {
        id: id.to_owned(),
        key: key(day),
        wallet: Wallet::ApplePay,
        path,
    }
}

#[tokio::test]
async fn every_input_counts_once_however_often_it_is_delivered() {
    // GIVEN the reports table
    let reports = table().await;
    let (nov, dec) = (date!(2026 - 11 - 30), date!(2026 - 12 - 01));
    // WHEN decisions arrive, one of them twice (the stream delivered it again)
    let green = decision("TOKEN#T1#DECISION#a", nov, DecisionPath::Green);
    assert_eq!(reports.count_decision(&green).await.unwrap(), Counted::Now);
    assert_eq!(
        reports.count_decision(&green).await.unwrap(),
        Counted::Before
    );
    for (id, path) in [("T2", DecisionPath::Yellow), ("T3", DecisionPath::Red)] {
        let fact = decision(&format!("TOKEN#{id}#DECISION#a"), dec, path);
        assert_eq!(reports.count_decision(&fact).await.unwrap(), Counted::Now);
    }
    // AND T1 activates (counted on its request day) twice, and T2 once
    for _ in 0..2 {
        reports
            .count_activation("T1", &key(nov), Wallet::ApplePay)
            .await
            .unwrap();
    }
    reports
        .count_activation("T2", &key(dec), Wallet::ApplePay)
        .await
        .unwrap();
    // AND the active count moves +1, +1, then -1, one event delivered twice
    for (id, delta) in [("e1", 1), ("e2", 1), ("e3", -1), ("e3", -1)] {
        reports
            .count_active(&ActiveChange {
                event_id: id.to_owned(),
                network: Network::Mastercard,
                token_requestor_id: Some("50110030273".to_owned()),
                wallet: Wallet::ApplePay,
                delta,
            })
            .await
            .unwrap();
    }
    // THEN the funnel across the two months counts each once
    let rows = reports.funnel(nov, dec).await.unwrap();
    assert_eq!(rows.len(), 2, "{rows:?}");
    let (first, second) = (&rows[0], &rows[1]);
    assert_eq!(first.key, key(nov));
    assert_eq!(
        (
            first.counts.requests,
            first.counts.green,
            first.counts.activations
        ),
        (1, 1, 1)
    );
    assert_eq!(first.wallet, Wallet::ApplePay);
    assert_eq!(
        (
            second.counts.requests,
            second.counts.yellow,
            second.counts.red,
            second.counts.activations
        ),
        (2, 1, 1, 1)
    );
    // AND a range of one day reads that day only
    assert_eq!(reports.funnel(dec, dec).await.unwrap().len(), 1);
    // AND one token is active
    let active = reports.active_tokens().await.unwrap();
    assert_eq!(active.len(), 1);
    assert_eq!(active[0].active, 1);
    assert_eq!(active[0].network, Network::Mastercard);
}
