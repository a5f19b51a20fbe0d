//! `GET /tokens/{tokenId}/transactions`: the token's transactions as its
//! network reports them (MDES Customer Service `transactions`), or that the
//! network offers none (Visa). Passed through, bounded, never stored.

use serde::Serialize;
use tmp_core::ports::NetworkTransaction;
use tmp_core::usecases::token_records::NetworkRecords;

/// At most this many rows are shown.
pub const MAX_ROWS: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenTransaction {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transaction_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merchant_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merchant_category_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merchant_category: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pos_entry_mode: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenTransactions {
    pub offered: bool,
    pub transactions: Vec<TokenTransaction>,
}

/// The network's text, cut to what the contract carries.
fn bounded(value: Option<&String>, max: usize) -> Option<String> {
    value
        .map(|v| {
            v.chars()
                .filter(|c| !c.is_control())
                .take(max)
                .collect::<String>()
        })
        .filter(|v| !v.is_empty())
}

pub fn wire(records: &NetworkRecords<NetworkTransaction>) -> TokenTransactions {
    match records {
        NetworkRecords::NotOffered => TokenTransactions {
            offered: false,
            transactions: Vec::new(),
        },
        NetworkRecords::Found(found) => TokenTransactions {
            offered: true,
            transactions: found
                .iter()
                .take(MAX_ROWS)
                .map(|t| TokenTransaction {
                    timestamp: bounded(t.at.as_ref(), 40),
                    transaction_type: bounded(
                        t.type_description.as_ref().or(t.type_code.as_ref()),
                        64,
                    ),
                    status: bounded(t.status_code.as_ref(), 32),
                    amount: bounded(t.amount.as_ref(), 32),
                    currency_code: bounded(t.currency.as_ref(), 3),
                    merchant_name: bounded(t.merchant_name.as_ref(), 128),
                    merchant_category_code: bounded(t.merchant_category_code.as_ref(), 4),
                    merchant_category: bounded(t.merchant_category_description.as_ref(), 128),
                    pos_entry_mode: bounded(t.pos_entry_mode.as_ref(), 64),
                })
                .collect(),
        },
    }
}
