//! The networks' records of a token for customer service: read from the
//! token's network on demand, the operator in its audit trail; a network
//! without the call says so; an unknown token is never asked about.

use tmp_core::AppError;
use tmp_core::domain::Network;
use tmp_core::domain::token::TokenStatus;
use tmp_core::ports::{NetworkParty, NetworkStatusEntry, NetworkTransaction};
use tmp_core::usecases::token_records::NetworkRecords;

use crate::support::{World, token_record};

const MC: &str = "DWSPMC000000000000000000000000000000000000000201";
const VISA: &str = "DNITHE000000000000000202";

fn world() -> World {
    let world = World::default();
    world
        .state
        .seed_token(token_record(MC, TokenStatus::Suspended, None), None);
    let mut visa = token_record(VISA, TokenStatus::Active, None);
    visa.network = Network::Visa;
    world.state.seed_token(visa, None);
    world
}

#[tokio::test]
async fn a_mastercard_tokens_history_and_transactions_come_from_mdes() {
    // GIVEN what MDES records of a suspended token
    let world = world();
    let suspended = NetworkStatusEntry {
        at: Some("2026-11-30T10:00:00Z".into()),
        status: TokenStatus::Suspended,
        initiator: Some(NetworkParty::Issuer),
        reason_code: Some("T".into()),
        operator: Some("agent.17".into()),
    };
    let purchase = NetworkTransaction {
        amount: Some("123.45".into()),
        currency: Some("USD".into()),
        merchant_name: Some("FOODMART".into()),
        ..NetworkTransaction::default()
    };
    world
        .networks
        .set_records(MC, vec![suspended.clone()], vec![purchase.clone()]);
    let records = world.token_records();
    // WHEN customer service reads them THEN MDES's records, asked under the agent's name
    assert_eq!(
        records.status_history(MC, "agent.17").await.unwrap(),
        NetworkRecords::Found(vec![suspended])
    );
    assert_eq!(
        records.transactions(MC, "agent.17").await.unwrap(),
        NetworkRecords::Found(vec![purchase])
    );
    assert_eq!(
        world.networks.record_reads(),
        [
            ("statushistory".into(), MC.into(), "agent.17".into()),
            ("transactions".into(), MC.into(), "agent.17".into())
        ]
    );
}

#[tokio::test]
async fn a_network_without_records_says_so_and_an_unknown_token_is_not_asked() {
    let world = world();
    let records = world.token_records();
    // WHEN the Visa token's records are read THEN VTS offers none
    assert_eq!(
        records.transactions(VISA, "agent.17").await.unwrap(),
        NetworkRecords::NotOffered
    );
    // AND a token we do not hold is unknown, no network asked
    let reads = world.networks.record_reads().len();
    assert_eq!(
        records.status_history("DWSPMC-UNKNOWN", "agent.17").await,
        Err(AppError::UnknownToken)
    );
    assert_eq!(world.networks.record_reads().len(), reads);
    // AND a network that does not answer is our 503
    world.networks.set_unavailable(true);
    assert!(matches!(
        records.status_history(MC, "agent.17").await,
        Err(AppError::Unavailable(_))
    ));
}
