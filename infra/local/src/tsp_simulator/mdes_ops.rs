//! The Customer Service operations of the simulated MDES, each on its
//! `tmp_mdes::customer_service` request and answer types. A change of
//! status is announced back with notifyTokenUpdated.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};
use tmp_mdes::customer_service::AuditInfo;
use tmp_mdes::customer_service::activate::{
    ActivateTarget, TokenActivateRequestSchema, TokenActivateResponseSchema,
};
use tmp_mdes::customer_service::delete::{TokenDeleteRequestSchema, TokenDeleteResponseSchema};
use tmp_mdes::customer_service::search::{
    Accounts, SearchCriterion, SearchRequestSchema, SearchResponse, SearchResponseSchema,
};
use tmp_mdes::customer_service::status_history::{
    Statuses, TokenStatusHistoryRequestSchema, TokenStatusHistoryResponse,
    TokenStatusHistoryResponseSchema,
};
use tmp_mdes::customer_service::suspend::{TokenSuspendRequestSchema, TokenSuspendResponseSchema};
use tmp_mdes::customer_service::token::{SimpleTokenResponse, TokenReference, TokenStatusCode};
use tmp_mdes::customer_service::transactions::{
    Transactions, TransactionsRequestSchema, TransactionsResponse, TransactionsResponseSchema,
};
use tmp_mdes::customer_service::unsuspend::{
    TokenUnsuspendRequestSchema, TokenUnsuspendResponseSchema,
};
use tmp_mdes::customer_service::update::{
    TokenUpdate, TokenUpdateRequestSchema, TokenUpdateResponse, TokenUpdateResponseSchema,
    UpdateTarget, UpdatedTokens,
};

use super::mdes::{MdesSim, Refusal, not_found, parse};
use super::mdes_book::{Action, MdesBook, MdesToken, WrongStatus, now};
use super::notify::Outgoing;

/// One-letter codes as they travel.
fn letter<T: Serialize>(code: T) -> String {
    serde_json::to_value(code)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn answer<T: Serialize>(body: T) -> Response {
    (StatusCode::OK, Json(body)).into_response()
}

fn wrong_status(WrongStatus(code): WrongStatus) -> Refusal {
    Refusal::new(
        StatusCode::BAD_REQUEST,
        "TokenUniqueReference",
        "INVALID_TOKEN_STATUS",
        "The token is not in a status that allows this change",
    )
    .with_code(code)
}

/// Sets `key` on a JSON object.
fn put(object: &mut Value, key: &str, value: Value) {
    if let Some(map) = object.as_object_mut() {
        map.insert(key.to_owned(), value);
    }
}

/// One lifecycle call's particulars.
struct Asked<'a> {
    tur: &'a str,
    action: Action,
    reason: String,
    comment: Option<&'a String>,
    audit: &'a AuditInfo,
}

impl MdesSim {
    pub(super) fn operate(&self, operation: &str, body: &[u8]) -> Response {
        let result = match operation {
            "token/suspend" => self.suspend(body),
            "token/unsuspend" => self.unsuspend(body),
            "token/delete" => self.delete(body),
            "token/activate" => self.activate(body),
            "token/update" => self.update(body),
            "search" => self.search(body),
            "token/statushistory" => self.status_history(body),
            "transactions" => self.transactions(body),
            _ => Err(Refusal::new(
                StatusCode::NOT_FOUND,
                "Path",
                "RESOURCE_NOT_FOUND",
                "The simulator does not offer this operation",
            )),
        };
        result.unwrap_or_else(IntoResponse::into_response)
    }

    fn suspend(&self, body: &[u8]) -> Result<Response, Refusal> {
        let r = parse::<TokenSuspendRequestSchema>(body, "TokenSuspendRequest")?.request;
        let token = self.act(&Asked {
            tur: &r.token_unique_reference,
            action: Action::Suspend,
            reason: letter(r.reason_code),
            comment: r.comment_text.as_ref(),
            audit: &r.audit_info,
        })?;
        Ok(answer(TokenSuspendResponseSchema {
            response: SimpleTokenResponse { token },
        }))
    }

    fn unsuspend(&self, body: &[u8]) -> Result<Response, Refusal> {
        let r = parse::<TokenUnsuspendRequestSchema>(body, "TokenUnsuspendRequest")?.request;
        let token = self.act(&Asked {
            tur: &r.token_unique_reference,
            action: Action::Unsuspend,
            reason: letter(r.reason_code),
            comment: r.comment_text.as_ref(),
            audit: &r.audit_info,
        })?;
        Ok(answer(TokenUnsuspendResponseSchema {
            response: SimpleTokenResponse { token },
        }))
    }

    fn delete(&self, body: &[u8]) -> Result<Response, Refusal> {
        let r = parse::<TokenDeleteRequestSchema>(body, "TokenDeleteRequest")?.request;
        let token = self.act(&Asked {
            tur: &r.token_unique_reference,
            action: Action::Delete,
            reason: letter(r.reason_code),
            comment: r.comment_text.as_ref(),
            audit: &r.audit_info,
        })?;
        Ok(answer(TokenDeleteResponseSchema {
            response: SimpleTokenResponse { token },
        }))
    }

    fn activate(&self, body: &[u8]) -> Result<Response, Refusal> {
        let r = parse::<TokenActivateRequestSchema>(body, "TokenActivateRequest")?.request;
        let ActivateTarget::Token {
            token_unique_reference,
        } = &r.target
        else {
            // The simulator holds no PANs: it cannot find a token by one.
            return Err(Refusal::new(
                StatusCode::BAD_REQUEST,
                "AccountPan",
                "NOT_SUPPORTED",
                "The simulator finds tokens by TokenUniqueReference only",
            ));
        };
        let token = self.act(&Asked {
            tur: token_unique_reference,
            action: Action::Activate,
            reason: letter(r.reason_code),
            comment: r.comment_text.as_ref(),
            audit: &r.audit_info,
        })?;
        Ok(answer(TokenActivateResponseSchema {
            response: SimpleTokenResponse { token },
        }))
    }

    /// Applies one lifecycle call; a change is announced back.
    fn act(&self, asked: &Asked<'_>) -> Result<TokenReference, Refusal> {
        let mut book = self.book();
        let token = book.tokens.get_mut(asked.tur).ok_or_else(not_found)?;
        let changed = token
            .apply(asked.action, &asked.reason, asked.audit)
            .map_err(wrong_status)?;
        let comment_id = self.comment_id(asked.comment);
        if changed {
            if let Some(last) = token.history.last_mut() {
                last.comment_id.clone_from(&comment_id);
            }
            self.announce(token);
        }
        Ok(TokenReference {
            token_unique_reference: asked.tur.to_owned(),
            comment_id,
        })
    }

    /// notifyTokenUpdated `STATUS_UPDATE` for `token` as it is now.
    fn announce(&self, token: &MdesToken) {
        let status = token.ntu_status();
        let mut entry = json!({"tokenUniqueReference": token.tur, "status": status});
        let suspended_by = token.ntu_suspended_by();
        if !suspended_by.is_empty() {
            put(&mut entry, "suspendedBy", json!(suspended_by));
        }
        let body = json!({
            "requestId": uuid::Uuid::new_v4().to_string(),
            "reasonCode": "STATUS_UPDATE",
            "tokens": [entry],
        });
        let url = self.desk.outbound.url("/mdes/notifyTokenUpdated");
        self.desk.notifications.schedule(
            &self.desk.outbound,
            token.tur.clone(),
            status.to_owned(),
            Box::pin(async move { Ok(Outgoing { url: url?, body }) }),
        );
    }

    /// Re-maps ACTIVE and SUSPENDED tokens (no status change, no notification).
    fn update(&self, body: &[u8]) -> Result<Response, Refusal> {
        let r = parse::<TokenUpdateRequestSchema>(body, "TokenUpdateRequest")?.request;
        let mut book = self.book();
        let live = |t: &MdesToken| {
            matches!(
                t.status,
                TokenStatusCode::Active | TokenStatusCode::Suspended
            )
        };
        let targets: Vec<String> = match &r.target {
            UpdateTarget::Token {
                token_unique_reference,
            } => {
                let token = book
                    .tokens
                    .get(token_unique_reference)
                    .ok_or_else(not_found)?;
                if !live(token) {
                    return Err(wrong_status(WrongStatus("TOKEN_NOT_ACTIVE")));
                }
                vec![token.tur.clone()]
            }
            UpdateTarget::AccountPan {
                current_account_pan,
            } => book
                .of_account(current_account_pan)
                .into_iter()
                .filter(|t| live(t))
                .map(|t| t.tur.clone())
                .collect(),
        };
        for tur in &targets {
            if let Some(token) = book.tokens.get_mut(tur) {
                remap(token, &r.update, &r.audit_info);
            }
        }
        Ok(answer(TokenUpdateResponseSchema {
            response: TokenUpdateResponse {
                tokens: UpdatedTokens {
                    token: targets
                        .into_iter()
                        .map(|tur| TokenReference {
                            token_unique_reference: tur,
                            comment_id: None,
                        })
                        .collect(),
                },
            },
        }))
    }

    fn search(&self, body: &[u8]) -> Result<Response, Refusal> {
        let r = parse::<SearchRequestSchema>(body, "SearchRequest")?.request;
        let book = self.book();
        let mut found: Vec<&MdesToken> = match &r.criterion {
            SearchCriterion::TokenUniqueReference(tur) => {
                book.tokens.get(tur).into_iter().collect()
            }
            SearchCriterion::AccountPan(pan) => book.of_account(pan),
            // The simulator holds neither tokens' numbers nor app instances.
            _ => Vec::new(),
        };
        if r.exclude_deleted_indicator == Some(true) {
            found.retain(|t| t.status != TokenStatusCode::Deleted);
        }
        Ok(answer(SearchResponseSchema {
            response: SearchResponse {
                accounts: Accounts {
                    account: MdesBook::accounts(&found),
                },
            },
        }))
    }

    fn status_history(&self, body: &[u8]) -> Result<Response, Refusal> {
        let r =
            parse::<TokenStatusHistoryRequestSchema>(body, "TokenStatusHistoryRequest")?.request;
        let book = self.book();
        let token = book
            .tokens
            .get(&r.token_unique_reference)
            .ok_or_else(not_found)?;
        Ok(answer(TokenStatusHistoryResponseSchema {
            response: TokenStatusHistoryResponse {
                // Newest first, as the spec's sample.
                statuses: Statuses {
                    status: token.history.iter().rev().cloned().collect(),
                },
            },
        }))
    }

    /// The transactions the token was registered with (none by default).
    fn transactions(&self, body: &[u8]) -> Result<Response, Refusal> {
        let r = parse::<TransactionsRequestSchema>(body, "TransactionsRequest")?.request;
        let book = self.book();
        let token = book
            .tokens
            .get(&r.token_unique_reference)
            .ok_or_else(not_found)?;
        Ok(answer(TransactionsResponseSchema {
            response: TransactionsResponse {
                transactions: Transactions {
                    transaction: token.transactions.clone(),
                },
            },
        }))
    }
}

/// Applies an update to one token, recording it (the new PAN's last four only).
fn remap(token: &mut MdesToken, update: &TokenUpdate, audit: &AuditInfo) {
    let mut record = json!({"at": now(), "auditInfo": audit});
    match update {
        TokenUpdate::ProductConfiguration {
            issuer_product_configuration_id,
        } => {
            token.product_configuration_id = Some(issuer_product_configuration_id.clone());
            put(
                &mut record,
                "productConfigurationId",
                json!(issuer_product_configuration_id),
            );
        }
        TokenUpdate::AccountMapping {
            new_account_pan,
            expiration_date,
            account_pan_sequence_number,
        } => {
            if let Some(pan) = new_account_pan {
                let suffix = pan.get(pan.len().saturating_sub(4)..).map(str::to_owned);
                put(&mut record, "accountPanSuffix", json!(suffix));
                token.account_pan_suffix = suffix;
            }
            if let Some(expiry) = expiration_date {
                token.expiration_date = Some(expiry.clone());
                put(&mut record, "expirationDate", json!(expiry));
            }
            if let Some(sequence) = account_pan_sequence_number {
                put(
                    &mut record,
                    "accountPanSequenceNumber",
                    Value::String(sequence.clone()),
                );
            }
        }
    }
    token.updates.push(record);
}
