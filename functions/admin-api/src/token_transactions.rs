//! `GET /admin-api/v1/tokens/{tokenId}/transactions`: the token's recent
//! transactions as its network reports them (MDES Customer Service; Visa
//! offers none). The agent is the operator in the network's audit trail.

use aws_config::SdkConfig;
use tmp_admin::Permission;
use tmp_admin::transactions;
use tmp_api::http;
use tmp_api::ids::TokenId;
use tmp_aws::cold_start::Init;
use tmp_aws::compose::issuer;
use tmp_core::domain::audit::AuditAction;
use tmp_core::usecases::token_records::TokenRecords;
use tmp_runtime::config::FunctionEnv;
use tmp_runtime::lambda::{HandlerError, HttpHandler};

use crate::{AdminOperation, AdminRequest, Answer};

pub const INIT: Init = crate::http_init!(init);

/// Cold start: the admin user pool's keys, the table, the network clients
/// (MDES's signing key unwrapped once) and the audit log.
pub async fn init(sdk: &SdkConfig, env: &FunctionEnv) -> Result<HttpHandler, HandlerError> {
    let (guard, records) =
        tokio::try_join!(crate::guard(sdk, env), issuer::token_records(sdk, env),)?;
    Ok(crate::endpoint(guard, TokenTransactions { records }))
}

pub struct TokenTransactions {
    pub records: TokenRecords,
}

#[async_trait::async_trait]
impl AdminOperation for TokenTransactions {
    const NAME: &'static str = "adminTokenTransactions";
    const ACTION: AuditAction = AuditAction::ViewTransactions;
    const PERMISSION: Permission = Permission::TokensRead;

    async fn call(&self, request: &AdminRequest<'_>) -> Answer {
        let token_id = match TokenId::from_path(request.path("tokenId")) {
            Ok(id) => id,
            Err(problem) => return Answer::new(Err(problem), None),
        };
        let target = Some(format!("token {}", token_id.as_str()));
        let response = self
            .records
            .transactions(token_id.as_str(), &request.agent.email)
            .await
            .map(|found| http::json(200, &transactions::wire(&found)))
            .map_err(Into::into);
        Answer::new(response, target)
    }
}
