//! The admin audit log on DynamoDB (moto, the real SDK client): entries put
//! once, read newest first across UTC days in pages whose cursors walk every
//! entry once, filtered by agent; a cursor we did not produce is refused.

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
};
use time::macros::datetime;
use tmp_aws::dynamodb::audit::AuditTable;
use tmp_core::domain::audit::{AuditAction, AuditEntry, AuditResult};
use tmp_core::ports::{AuditLog, AuditQuery, SearchError};
use tmp_testkit::moto::Emulator;

fn entry(n: u8, at: time::OffsetDateTime, actor: &str) -> AuditEntry {
    AuditEntry {
        audit_id: format!("aud_{n:04}"),
        at,
        actor: actor.to_owned(),
        roles: vec!["agent".to_owned()],
        action: AuditAction::SuspendToken,
        target: Some(format!("token T{n}")),
        reason_code: None,
        source_ip: Some("203.0.113.7".to_owned()),
        result: AuditResult::Succeeded,
        status: 200,
    }
}

#[tokio::test]
async fn entries_are_read_newest_first_across_days_in_pages_and_by_agent() {
    // GIVEN an audit table with five entries over two days, two agents
    let emulator = Emulator::for_tests().await;
    let config = emulator.sdk_config().await;
    let client = aws_sdk_dynamodb::Client::new(&config);
    let name = format!("audit-{}", uuid::Uuid::new_v4());
    client
        .create_table()
        .table_name(&name)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("pk")
                .attribute_type(ScalarAttributeType::S)
                .build()
                .unwrap(),
        )
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("sk")
                .attribute_type(ScalarAttributeType::S)
                .build()
                .unwrap(),
        )
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name("pk")
                .key_type(KeyType::Hash)
                .build()
                .unwrap(),
        )
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name("sk")
                .key_type(KeyType::Range)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let log = AuditTable::new(client, &name, time::Duration::days(400));
    let entries = [
        entry(1, datetime!(2026-11-30 09:00 UTC), "agent@bank.test"),
        entry(2, datetime!(2026-11-30 10:00 UTC), "viewer@bank.test"),
        entry(3, datetime!(2026-12-01 08:00 UTC), "agent@bank.test"),
        entry(4, datetime!(2026-12-01 09:00 UTC), "agent@bank.test"),
        entry(5, datetime!(2026-12-01 10:00 UTC), "viewer@bank.test"),
    ];
    for e in &entries {
        log.append(e).await.unwrap();
    }
    // AND an entry is never put twice
    assert!(log.append(&entries[0]).await.is_err());
    // WHEN both days are read two at a time
    let mut query = AuditQuery {
        from: time::macros::date!(2026 - 11 - 30),
        to: time::macros::date!(2026 - 12 - 01),
        actor: None,
        limit: 2,
        cursor: None,
    };
    let mut seen = Vec::new();
    loop {
        let page = log.page(&query).await.unwrap();
        assert!(page.entries.len() <= 2);
        seen.extend(page.entries.iter().map(|e| e.audit_id.clone()));
        match page.next_cursor {
            Some(cursor) => query.cursor = Some(cursor),
            None => break,
        }
    }
    // THEN every entry once, newest first
    assert_eq!(
        seen,
        ["aud_0005", "aud_0004", "aud_0003", "aud_0002", "aud_0001"]
    );
    // AND one agent's only
    let mine = log
        .page(&AuditQuery {
            actor: Some("agent@bank.test".to_owned()),
            limit: 50,
            cursor: None,
            ..query.clone()
        })
        .await
        .unwrap();
    let ids: Vec<&str> = mine.entries.iter().map(|e| e.audit_id.as_str()).collect();
    assert_eq!(ids, ["aud_0004", "aud_0003", "aud_0001"]);
    assert_eq!(mine.entries[0], entries[3]);
    // AND a cursor we did not make is refused
    assert!(matches!(
        log.page(&AuditQuery {
            cursor: Some("a1bm90LW91cnM".to_owned()),
            ..query
        })
        .await,
        Err(SearchError::BadCursor)
    ));
}
