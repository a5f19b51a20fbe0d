//! What one AWS API request, as an SDK sends it, needs authorized: the
//! caller's access key id (from the SigV4 credential scope) and the
//! [`AuthzRequest`]s AWS evaluates for it.
//!
//! Known shapes: DynamoDB and DynamoDB Streams (JSON 1.0), KMS (JSON 1.1),
//! SQS (JSON 1.0, and the older query protocol), SNS (query protocol) and
//! STS `GetCallerIdentity` (needs no permission). Anything else needs
//! `<service>:<Operation>` on `*`.

use std::collections::BTreeMap;

use base64::Engine as _;
use http::{HeaderMap, Method, Uri};
use serde_json::Value as Json;

use super::policy::AuthzRequest;
use crate::deployment::{LOCAL_ACCOUNT_ID, LOCAL_REGION};

/// The wire protocol of a request (how an error must be answered).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// `application/x-amz-json-1.0` (DynamoDB, SQS).
    AwsJson10,
    /// `application/x-amz-json-1.1` (KMS).
    AwsJson11,
    /// Form-encoded `Action=...` (SNS, older SQS clients).
    AwsQuery,
    /// REST protocols and anything unrecognised.
    Other,
}

/// The SigV4 credential scope: `<AKID>/<date>/<region>/<service>/aws4_request`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialScope {
    pub access_key_id: String,
    pub date: String,
    pub region: String,
    pub service: String,
}

/// One API call, classified.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiCall {
    /// From the credential scope; `None` for unsigned requests.
    pub credential: Option<CredentialScope>,
    /// The signing service (`dynamodb`, `kms`, `sqs`, `sns`...).
    pub service: String,
    /// `PutItem`, `Publish`...; `None` when the protocol names none.
    pub operation: Option<String>,
    pub protocol: Protocol,
    /// Everything AWS authorizes for this call; all must be allowed.
    pub requests: Vec<AuthzRequest>,
}

impl ApiCall {
    pub fn access_key_id(&self) -> Option<&str> {
        self.credential.as_ref().map(|c| c.access_key_id.as_str())
    }
}

/// The credential scope of a signed request: the `Authorization` header
/// (`AWS4-HMAC-SHA256 Credential=...`, also SigV4a) or a presigned URL's
/// `X-Amz-Credential`.
pub fn credential_scope(headers: &HeaderMap, uri: &Uri) -> Option<CredentialScope> {
    let from_header = headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|auth| {
            let (_, rest) = auth.split_once("Credential=")?;
            rest.split([',', ' ']).next().map(str::to_owned)
        });
    let credential = from_header.or_else(|| {
        form_pairs(uri.query().unwrap_or_default().as_bytes())
            .into_iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("X-Amz-Credential"))
            .map(|(_, v)| v)
    })?;
    let parts: Vec<&str> = credential.split('/').collect();
    match parts.as_slice() {
        // SigV4: AKID/date/region/service/aws4_request.
        [akid, date, region, service, _terminator] => Some(CredentialScope {
            access_key_id: (*akid).to_owned(),
            date: (*date).to_owned(),
            region: (*region).to_owned(),
            service: (*service).to_owned(),
        }),
        // SigV4a: AKID/date/service/aws4_request (no region).
        [akid, date, service, _terminator] => Some(CredentialScope {
            access_key_id: (*akid).to_owned(),
            date: (*date).to_owned(),
            region: String::new(),
            service: (*service).to_owned(),
        }),
        _ => None,
    }
    .filter(|c| !c.access_key_id.is_empty())
}

/// Classifies one request as it reaches the emulator.
pub fn classify(method: &Method, uri: &Uri, headers: &HeaderMap, body: &[u8]) -> ApiCall {
    let credential = credential_scope(headers, uri);
    let region = credential
        .as_ref()
        .map(|c| c.region.as_str())
        .filter(|r| !r.is_empty())
        .unwrap_or(LOCAL_REGION)
        .to_owned();
    let arns = Arns {
        region,
        account: LOCAL_ACCOUNT_ID.to_owned(),
    };
    let scope_service = credential.as_ref().map(|c| c.service.clone());
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .and_then(|t| t.split_once('.'))
        .map(|(prefix, op)| (prefix.to_owned(), op.to_owned()));

    if let Some((prefix, op)) = target {
        let json: Json = serde_json::from_slice(body).unwrap_or(Json::Null);
        let (service, protocol, requests) = match prefix.as_str() {
            "DynamoDB_20120810" => ("dynamodb", Protocol::AwsJson10, dynamodb(&op, &json, &arns)),
            "DynamoDBStreams_20120810" => (
                "dynamodb",
                Protocol::AwsJson10,
                dynamodb_streams(&op, &json),
            ),
            "TrentService" => ("kms", Protocol::AwsJson11, kms(&op, &json, &arns)),
            "AWSCognitoIdentityProviderService" => (
                "cognito-idp",
                Protocol::AwsJson11,
                cognito_idp(&op, &json, &arns),
            ),
            "AmazonSQS" => (
                "sqs",
                Protocol::AwsJson10,
                sqs(&op, |k| json_str(&json, k), &arns),
            ),
            _ => {
                let service = scope_service
                    .clone()
                    .unwrap_or_else(|| prefix.to_lowercase());
                let protocol = if json_version(headers) == Some("1.0") {
                    Protocol::AwsJson10
                } else {
                    Protocol::AwsJson11
                };
                let requests = vec![AuthzRequest::new(format!("{service}:{op}"), "*")];
                return ApiCall {
                    credential,
                    service,
                    operation: Some(op),
                    protocol,
                    requests,
                };
            }
        };
        let requests = or_generic(requests, service, &op);
        return ApiCall {
            credential,
            service: service.to_owned(),
            operation: Some(op),
            protocol,
            requests,
        };
    }

    let service = scope_service.unwrap_or_else(|| "unknown".to_owned());
    let mut params = form_pairs(uri.query().unwrap_or_default().as_bytes());
    if is_form(headers) {
        params.extend(form_pairs(body));
    }
    let params: BTreeMap<String, String> = params.into_iter().collect();
    if let Some(op) = params.get("Action").cloned() {
        let get = |k: &str| params.get(k).map(String::as_str);
        let requests = match service.as_str() {
            "sns" => sns(&op, get, &arns),
            "sqs" => sqs(
                &op,
                |k| match get(k) {
                    // Query clients may post to the queue URL instead.
                    None if k == "QueueUrl" && uri.path().trim_matches('/').contains('/') => {
                        Some(uri.path())
                    }
                    other => other,
                },
                &arns,
            ),
            "sts" if op == "GetCallerIdentity" => {
                // Always allowed, whatever the policies say.
                return ApiCall {
                    credential,
                    service,
                    operation: Some(op),
                    protocol: Protocol::AwsQuery,
                    requests: Vec::new(),
                };
            }
            _ => Vec::new(),
        };
        let requests = or_generic(requests, &service, &op);
        return ApiCall {
            credential,
            service,
            operation: Some(op),
            protocol: Protocol::AwsQuery,
            requests,
        };
    }

    // REST protocols: no operation name on the wire; only `service:*`
    // (or `*`) allows what this names.
    let requests = vec![AuthzRequest::new(
        format!("{service}:{method} {}", uri.path()),
        "*",
    )];
    ApiCall {
        credential,
        service,
        operation: None,
        protocol: Protocol::Other,
        requests,
    }
}

fn or_generic(requests: Vec<AuthzRequest>, service: &str, op: &str) -> Vec<AuthzRequest> {
    if requests.is_empty() {
        vec![AuthzRequest::new(format!("{service}:{op}"), "*")]
    } else {
        requests
    }
}

fn json_version(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|ct| ct.strip_prefix("application/x-amz-json-"))
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|ct| ct.starts_with("application/x-www-form-urlencoded"))
}

fn json_str<'a>(json: &'a Json, key: &str) -> Option<&'a str> {
    json.get(key).and_then(Json::as_str)
}

/// Builds ARNs in the caller's region and the local account.
struct Arns {
    region: String,
    account: String,
}

impl Arns {
    fn arn(&self, service: &str, resource: &str) -> String {
        format!(
            "arn:aws:{service}:{}:{}:{resource}",
            self.region, self.account
        )
    }

    fn table(&self, name: &str) -> String {
        if name.starts_with("arn:") {
            name.to_owned()
        } else {
            self.arn("dynamodb", &format!("table/{name}"))
        }
    }

    /// A key id, key ARN, alias name or alias ARN.
    fn kms_key(&self, key_id: &str) -> String {
        if key_id.starts_with("arn:") {
            key_id.to_owned()
        } else if key_id.starts_with("alias/") {
            self.arn("kms", key_id)
        } else {
            self.arn("kms", &format!("key/{key_id}"))
        }
    }

    fn queue(&self, url_or_name: &str) -> String {
        if url_or_name.starts_with("arn:") {
            return url_or_name.to_owned();
        }
        let path = match url_or_name.split_once("://") {
            Some((_, rest)) => rest.split_once('/').map(|(_, p)| p).unwrap_or_default(),
            None => url_or_name,
        };
        let path = path.split(['?', '#']).next().unwrap_or_default();
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        match segments.as_slice() {
            [.., account, name]
                if account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()) =>
            {
                format!("arn:aws:sqs:{}:{account}:{name}", self.region)
            }
            [.., name] => self.arn("sqs", name),
            [] => "*".to_owned(),
        }
    }

    fn topic(&self, name: &str) -> String {
        if name.starts_with("arn:") {
            name.to_owned()
        } else {
            self.arn("sns", name)
        }
    }
}

fn dynamodb(op: &str, body: &Json, arns: &Arns) -> Vec<AuthzRequest> {
    let table_of = |item: &Json| json_str(item, "TableName").map(|t| arns.table(t));
    let mut out = Vec::new();
    match op {
        "TransactWriteItems" => {
            let items = body.get("TransactItems").and_then(Json::as_array);
            for item in items.into_iter().flatten() {
                for (kind, action) in [
                    ("Put", "PutItem"),
                    ("Update", "UpdateItem"),
                    ("Delete", "DeleteItem"),
                    ("ConditionCheck", "ConditionCheckItem"),
                ] {
                    if let Some(table) = item.get(kind).and_then(table_of) {
                        out.push(AuthzRequest::new(format!("dynamodb:{action}"), table));
                    }
                }
            }
        }
        "TransactGetItems" => {
            let items = body.get("TransactItems").and_then(Json::as_array);
            for item in items.into_iter().flatten() {
                if let Some(table) = item.get("Get").and_then(table_of) {
                    out.push(AuthzRequest::new("dynamodb:GetItem", table));
                }
            }
        }
        "BatchGetItem" | "BatchWriteItem" => {
            let tables = body.get("RequestItems").and_then(Json::as_object);
            for table in tables.into_iter().flat_map(|m| m.keys()) {
                out.push(AuthzRequest::new(
                    format!("dynamodb:{op}"),
                    arns.table(table),
                ));
            }
        }
        _ => {
            let resource = match (table_of(body), json_str(body, "IndexName")) {
                (Some(table), Some(index)) if op == "Query" || op == "Scan" => {
                    Some(format!("{table}/index/{index}"))
                }
                (Some(table), _) => Some(table),
                (None, _) => json_str(body, "ResourceArn")
                    .or_else(|| json_str(body, "TableArn"))
                    .map(str::to_owned),
            };
            if let Some(resource) = resource {
                let mut request = AuthzRequest::new(format!("dynamodb:{op}"), resource);
                for (field, key) in [
                    ("ReturnValues", "dynamodb:ReturnValues"),
                    ("Select", "dynamodb:Select"),
                    ("ReturnConsumedCapacity", "dynamodb:ReturnConsumedCapacity"),
                ] {
                    if let Some(v) = json_str(body, field) {
                        request = request.with_context(key, v);
                    }
                }
                out.push(request);
            }
        }
    }
    out
}

fn dynamodb_streams(op: &str, body: &Json) -> Vec<AuthzRequest> {
    // Shard iterators start with the stream ARN and a `|` (AWS and moto).
    let stream = json_str(body, "StreamArn").map(str::to_owned).or_else(|| {
        json_str(body, "ShardIterator")
            .and_then(|it| it.split('|').next())
            .filter(|arn| arn.starts_with("arn:"))
            .map(str::to_owned)
    });
    vec![AuthzRequest::new(
        format!("dynamodb:{op}"),
        stream.unwrap_or_else(|| "*".to_owned()),
    )]
}

/// The key a moto ciphertext blob was encrypted under: its first 36 bytes
/// are the key id (real KMS ciphertexts also name their key).
fn ciphertext_key(body: &Json, field: &str) -> Option<String> {
    let blob = base64::engine::general_purpose::STANDARD
        .decode(json_str(body, field)?)
        .ok()?;
    let id = std::str::from_utf8(blob.get(..36)?).ok()?;
    let uuid_like = id.bytes().enumerate().all(|(i, b)| {
        matches!(i, 8 | 13 | 18 | 23) == (b == b'-') && (b == b'-' || b.is_ascii_hexdigit())
    });
    uuid_like.then(|| id.to_owned())
}

/// A user pool call is authorized on the pool it names (`UserPoolId`).
fn cognito_idp(op: &str, body: &Json, arns: &Arns) -> Vec<AuthzRequest> {
    let resource = json_str(body, "UserPoolId").map_or_else(
        || "*".to_owned(),
        |pool| arns.arn("cognito-idp", &format!("userpool/{pool}")),
    );
    vec![AuthzRequest::new(format!("cognito-idp:{op}"), resource)]
}

fn kms(op: &str, body: &Json, arns: &Arns) -> Vec<AuthzRequest> {
    let with_context = |mut request: AuthzRequest, context_field: &str, key_id: Option<&str>| {
        if let Some(context) = body.get(context_field).and_then(Json::as_object) {
            for (k, v) in context {
                if let Some(v) = v.as_str() {
                    request = request
                        .with_context(format!("kms:EncryptionContext:{k}"), v)
                        .with_context("kms:EncryptionContextKeys", k.clone());
                }
            }
        }
        if let Some(alias) = key_id.filter(|k| k.starts_with("alias/") || k.contains(":alias/")) {
            let name = alias
                .find("alias/")
                .map_or(alias, |i| alias.get(i..).unwrap_or(alias));
            request = request.with_context("kms:RequestAlias", name);
        }
        for (field, key) in [
            ("EncryptionAlgorithm", "kms:EncryptionAlgorithm"),
            ("MacAlgorithm", "kms:MacAlgorithm"),
            ("SigningAlgorithm", "kms:SigningAlgorithm"),
        ] {
            if let Some(v) = json_str(body, field) {
                request = request.with_context(key, v);
            }
        }
        request.with_context("kms:CallerAccount", arns.account.clone())
    };
    let key = |field: &str, blob: &str| {
        json_str(body, field)
            .map(str::to_owned)
            .or_else(|| ciphertext_key(body, blob))
    };
    match op {
        "ReEncrypt" => {
            let from = key("SourceKeyId", "CiphertextBlob");
            let to = json_str(body, "DestinationKeyId");
            vec![
                with_context(
                    AuthzRequest::new(
                        "kms:ReEncryptFrom",
                        from.as_deref()
                            .map_or_else(|| "*".to_owned(), |k| arns.kms_key(k)),
                    ),
                    "SourceEncryptionContext",
                    from.as_deref(),
                ),
                with_context(
                    AuthzRequest::new(
                        "kms:ReEncryptTo",
                        to.map_or_else(|| "*".to_owned(), |k| arns.kms_key(k)),
                    ),
                    "DestinationEncryptionContext",
                    to,
                ),
            ]
        }
        "CreateAlias" | "UpdateAlias" => {
            let mut out = Vec::new();
            if let Some(alias) = json_str(body, "AliasName") {
                out.push(AuthzRequest::new(format!("kms:{op}"), arns.kms_key(alias)));
            }
            if let Some(target) = json_str(body, "TargetKeyId") {
                out.push(AuthzRequest::new(format!("kms:{op}"), arns.kms_key(target)));
            }
            out
        }
        "DeleteAlias" => json_str(body, "AliasName")
            .map(|alias| AuthzRequest::new("kms:DeleteAlias", arns.kms_key(alias)))
            .into_iter()
            .collect(),
        _ => {
            let key_id = key("KeyId", "CiphertextBlob");
            let resource = key_id
                .as_deref()
                .map_or_else(|| "*".to_owned(), |k| arns.kms_key(k));
            vec![with_context(
                AuthzRequest::new(format!("kms:{op}"), resource),
                "EncryptionContext",
                key_id.as_deref(),
            )]
        }
    }
}

fn sqs<'a>(op: &str, get: impl Fn(&str) -> Option<&'a str>, arns: &Arns) -> Vec<AuthzRequest> {
    // Batch calls are authorized as their single-message action.
    let action = match op {
        "SendMessageBatch" => "SendMessage",
        "DeleteMessageBatch" => "DeleteMessage",
        "ChangeMessageVisibilityBatch" => "ChangeMessageVisibility",
        other => other,
    };
    let resource = get("QueueUrl")
        .or_else(|| get("QueueName"))
        .map(|q| arns.queue(q))
        .unwrap_or_else(|| "*".to_owned());
    vec![AuthzRequest::new(format!("sqs:{action}"), resource)]
}

fn sns<'a>(op: &str, get: impl Fn(&str) -> Option<&'a str>, arns: &Arns) -> Vec<AuthzRequest> {
    let action = match op {
        "PublishBatch" => "Publish",
        other => other,
    };
    let resource = match op {
        "CreateTopic" => get("Name").map(|n| arns.topic(n)),
        // A direct SMS publish has no resource.
        "Publish" if get("PhoneNumber").is_some() => Some("*".to_owned()),
        _ => get("TopicArn")
            .or_else(|| get("TargetArn"))
            .or_else(|| get("ResourceArn"))
            .map(str::to_owned)
            .or_else(|| {
                // A subscription ARN is its topic's ARN plus `:<id>`.
                get("SubscriptionArn")
                    .and_then(|s| s.rsplit_once(':'))
                    .map(|(topic, _)| topic.to_owned())
            }),
    };
    vec![AuthzRequest::new(
        format!("sns:{action}"),
        resource.unwrap_or_else(|| "*".to_owned()),
    )]
}

/// `application/x-www-form-urlencoded` pairs (`+` is a space).
pub fn form_pairs(bytes: &[u8]) -> Vec<(String, String)> {
    bytes
        .split(|b| *b == b'&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut kv = part.splitn(2, |b| *b == b'=');
            let k = kv.next().unwrap_or_default();
            let v = kv.next().unwrap_or_default();
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(bytes: &[u8]) -> String {
    fn hex(b: u8) -> Option<u8> {
        match b {
            b'0'..=b'9' => Some(b - b'0'),
            b'a'..=b'f' => Some(b - b'a' + 10),
            b'A'..=b'F' => Some(b - b'A' + 10),
            _ => None,
        }
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let pair = bytes
                    .get(i + 1)
                    .and_then(|h| hex(*h))
                    .zip(bytes.get(i + 2).and_then(|l| hex(*l)));
                if let Some((h, l)) = pair {
                    out.push(h << 4 | l);
                    i += 2;
                } else {
                    out.push(b'%');
                }
            }
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const ACCOUNT: &str = "123456789012";

    fn auth(akid: &str, service: &str) -> String {
        format!(
            "AWS4-HMAC-SHA256 Credential={akid}/20260501/us-east-1/{service}/aws4_request, \
             SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=abcdef0123"
        )
    }

    fn json_call(service: &str, target: &str, version: &str, body: Json) -> ApiCall {
        let mut headers = HeaderMap::new();
        headers.insert(
            "authorization",
            auth("AKIAFUNCTION1", service).parse().unwrap(),
        );
        headers.insert("x-amz-target", target.parse().unwrap());
        headers.insert(
            "content-type",
            format!("application/x-amz-json-{version}").parse().unwrap(),
        );
        let uri: Uri = "/".parse().unwrap();
        classify(&Method::POST, &uri, &headers, body.to_string().as_bytes())
    }

    fn query_call(service: &str, path: &str, body: &str) -> ApiCall {
        let mut headers = HeaderMap::new();
        headers.insert(
            "authorization",
            auth("AKIAFUNCTION1", service).parse().unwrap(),
        );
        headers.insert(
            "content-type",
            "application/x-www-form-urlencoded".parse().unwrap(),
        );
        let uri: Uri = path.parse().unwrap();
        classify(&Method::POST, &uri, &headers, body.as_bytes())
    }

    fn pairs(call: &ApiCall) -> Vec<(&str, &str)> {
        call.requests
            .iter()
            .map(|r| (r.action.as_str(), r.resource.as_str()))
            .collect()
    }

    fn table(name: &str) -> String {
        format!("arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/{name}")
    }

    #[test]
    fn the_credential_scope_names_the_caller_and_the_service() {
        let mut headers = HeaderMap::new();
        headers.insert("authorization", auth("AKIAEXAMPLE", "kms").parse().unwrap());
        let scope = credential_scope(&headers, &"/".parse().unwrap()).unwrap();
        assert_eq!(scope.access_key_id, "AKIAEXAMPLE");
        assert_eq!(scope.region, "us-east-1");
        assert_eq!(scope.service, "kms");
        assert_eq!(scope.date, "20260501");
        // Presigned URLs carry it in the query.
        let uri: Uri = "/q?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAPRE%2F20260501%2Fus-east-1%2Fsqs%2Faws4_request"
            .parse()
            .unwrap();
        let scope = credential_scope(&HeaderMap::new(), &uri).unwrap();
        assert_eq!(scope.access_key_id, "AKIAPRE");
        assert_eq!(scope.service, "sqs");
        assert!(credential_scope(&HeaderMap::new(), &"/".parse().unwrap()).is_none());
    }

    #[test]
    fn dynamodb_single_item_calls_name_their_table() {
        let call = json_call(
            "dynamodb",
            "DynamoDB_20120810.PutItem",
            "1.0",
            json!({"TableName": "t", "Item": {"pk": {"S": "a"}}, "ReturnValues": "ALL_OLD"}),
        );
        assert_eq!(call.access_key_id(), Some("AKIAFUNCTION1"));
        assert_eq!(call.operation.as_deref(), Some("PutItem"));
        assert_eq!(call.protocol, Protocol::AwsJson10);
        assert_eq!(
            pairs(&call),
            vec![("dynamodb:PutItem", table("t").as_str())]
        );
        assert_eq!(
            call.requests[0].context["dynamodb:ReturnValues"],
            vec!["ALL_OLD".to_owned()]
        );
        let get = json_call(
            "dynamodb",
            "DynamoDB_20120810.GetItem",
            "1.0",
            json!({"TableName": table("t"), "Key": {"pk": {"S": "a"}}, "ConsistentRead": true}),
        );
        assert_eq!(pairs(&get), vec![("dynamodb:GetItem", table("t").as_str())]);
    }

    #[test]
    fn dynamodb_index_queries_name_the_index() {
        let call = json_call(
            "dynamodb",
            "DynamoDB_20120810.Query",
            "1.0",
            json!({
                "TableName": "tokens",
                "IndexName": "by-pan",
                "KeyConditionExpression": "#p = :p",
                "ExpressionAttributeNames": {"#p": "pan"},
                "ExpressionAttributeValues": {":p": {"S": "x"}}
            }),
        );
        let index = format!("{}/index/by-pan", table("tokens"));
        assert_eq!(pairs(&call), vec![("dynamodb:Query", index.as_str())]);
        let scan = json_call(
            "dynamodb",
            "DynamoDB_20120810.Scan",
            "1.0",
            json!({"TableName": "tokens"}),
        );
        assert_eq!(
            pairs(&scan),
            vec![("dynamodb:Scan", table("tokens").as_str())]
        );
    }

    #[test]
    fn transact_write_items_authorizes_each_item_on_its_own_table() {
        let call = json_call(
            "dynamodb",
            "DynamoDB_20120810.TransactWriteItems",
            "1.0",
            json!({"TransactItems": [
                {"Put": {"TableName": "t", "Item": {"pk": {"S": "a"}},
                         "ConditionExpression": "attribute_not_exists(pk)"}},
                {"Update": {"TableName": "t", "Key": {"pk": {"S": "b"}},
                            "UpdateExpression": "SET #s = :s",
                            "ExpressionAttributeNames": {"#s": "state"},
                            "ExpressionAttributeValues": {":s": {"S": "ACTIVE"}}}},
                {"Delete": {"TableName": "u", "Key": {"pk": {"S": "c"}}}},
                {"ConditionCheck": {"TableName": "v", "Key": {"pk": {"S": "d"}},
                                    "ConditionExpression": "attribute_exists(pk)"}}
            ], "ClientRequestToken": "tok"}),
        );
        assert_eq!(
            pairs(&call),
            vec![
                ("dynamodb:PutItem", table("t").as_str()),
                ("dynamodb:UpdateItem", table("t").as_str()),
                ("dynamodb:DeleteItem", table("u").as_str()),
                ("dynamodb:ConditionCheckItem", table("v").as_str()),
            ]
        );
    }

    #[test]
    fn transact_get_and_batch_calls_authorize_per_item_or_table() {
        let get = json_call(
            "dynamodb",
            "DynamoDB_20120810.TransactGetItems",
            "1.0",
            json!({"TransactItems": [
                {"Get": {"TableName": "t", "Key": {"pk": {"S": "a"}}}},
                {"Get": {"TableName": "u", "Key": {"pk": {"S": "b"}}}}
            ]}),
        );
        assert_eq!(
            pairs(&get),
            vec![
                ("dynamodb:GetItem", table("t").as_str()),
                ("dynamodb:GetItem", table("u").as_str()),
            ]
        );
        let batch_get = json_call(
            "dynamodb",
            "DynamoDB_20120810.BatchGetItem",
            "1.0",
            json!({"RequestItems": {
                "t": {"Keys": [{"pk": {"S": "a"}}]},
                "u": {"Keys": [{"pk": {"S": "b"}}], "ConsistentRead": true}
            }}),
        );
        assert_eq!(
            pairs(&batch_get),
            vec![
                ("dynamodb:BatchGetItem", table("t").as_str()),
                ("dynamodb:BatchGetItem", table("u").as_str()),
            ]
        );
        let batch_write = json_call(
            "dynamodb",
            "DynamoDB_20120810.BatchWriteItem",
            "1.0",
            json!({"RequestItems": {"t": [
                {"PutRequest": {"Item": {"pk": {"S": "a"}}}},
                {"DeleteRequest": {"Key": {"pk": {"S": "b"}}}}
            ]}}),
        );
        assert_eq!(
            pairs(&batch_write),
            vec![("dynamodb:BatchWriteItem", table("t").as_str())]
        );
    }

    #[test]
    fn dynamodb_calls_without_a_table_need_a_wildcard_resource() {
        let call = json_call("dynamodb", "DynamoDB_20120810.ListTables", "1.0", json!({}));
        assert_eq!(pairs(&call), vec![("dynamodb:ListTables", "*")]);
    }

    #[test]
    fn dynamodb_streams_calls_name_the_stream() {
        let stream = format!("{}/stream/2026-05-01T00:00:00.000", table("t"));
        let describe = json_call(
            "dynamodb",
            "DynamoDBStreams_20120810.DescribeStream",
            "1.0",
            json!({"StreamArn": stream}),
        );
        assert_eq!(
            pairs(&describe),
            vec![("dynamodb:DescribeStream", stream.as_str())]
        );
        let records = json_call(
            "dynamodb",
            "DynamoDBStreams_20120810.GetRecords",
            "1.0",
            json!({"ShardIterator": format!("{stream}|1|AAAAAAAAAAGQBYshYDEe"), "Limit": 100}),
        );
        assert_eq!(
            pairs(&records),
            vec![("dynamodb:GetRecords", stream.as_str())]
        );
    }

    #[test]
    fn kms_calls_name_the_key_and_carry_the_encryption_context() {
        let key_id = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
        let call = json_call(
            "kms",
            "TrentService.Decrypt",
            "1.1",
            json!({
                "CiphertextBlob": "AAAA",
                "KeyId": key_id,
                "EncryptionContext": {"purpose": "pan", "tenant": "t1"}
            }),
        );
        assert_eq!(call.protocol, Protocol::AwsJson11);
        let key_arn = format!("arn:aws:kms:us-east-1:{ACCOUNT}:key/{key_id}");
        assert_eq!(pairs(&call), vec![("kms:Decrypt", key_arn.as_str())]);
        let ctx = &call.requests[0].context;
        assert_eq!(ctx["kms:EncryptionContext:purpose"], vec!["pan".to_owned()]);
        assert_eq!(ctx["kms:EncryptionContext:tenant"], vec!["t1".to_owned()]);
        assert_eq!(
            ctx["kms:EncryptionContextKeys"],
            vec!["purpose".to_owned(), "tenant".to_owned()]
        );

        let by_arn = json_call(
            "kms",
            "TrentService.GenerateMac",
            "1.1",
            json!({"KeyId": key_arn, "Message": "AAAA", "MacAlgorithm": "HMAC_SHA_256"}),
        );
        assert_eq!(pairs(&by_arn), vec![("kms:GenerateMac", key_arn.as_str())]);
        assert_eq!(
            by_arn.requests[0].context["kms:MacAlgorithm"],
            vec!["HMAC_SHA_256".to_owned()]
        );

        let by_alias = json_call(
            "kms",
            "TrentService.Encrypt",
            "1.1",
            json!({"KeyId": "alias/secrets", "Plaintext": "AAAA"}),
        );
        let alias_arn = format!("arn:aws:kms:us-east-1:{ACCOUNT}:alias/secrets");
        assert_eq!(pairs(&by_alias), vec![("kms:Encrypt", alias_arn.as_str())]);
        assert_eq!(
            by_alias.requests[0].context["kms:RequestAlias"],
            vec!["alias/secrets".to_owned()]
        );
    }

    #[test]
    fn kms_decrypt_without_key_id_names_the_ciphertexts_key() {
        let key_id = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
        let mut blob = key_id.as_bytes().to_vec();
        blob.extend([0u8; 40]);
        let blob = base64::engine::general_purpose::STANDARD.encode(blob);
        let call = json_call(
            "kms",
            "TrentService.Decrypt",
            "1.1",
            json!({"CiphertextBlob": blob}),
        );
        let key_arn = format!("arn:aws:kms:us-east-1:{ACCOUNT}:key/{key_id}");
        assert_eq!(pairs(&call), vec![("kms:Decrypt", key_arn.as_str())]);
        let opaque = json_call(
            "kms",
            "TrentService.Decrypt",
            "1.1",
            json!({"CiphertextBlob": "AAAA"}),
        );
        assert_eq!(pairs(&opaque), vec![("kms:Decrypt", "*")]);
        let create = json_call("kms", "TrentService.CreateKey", "1.1", json!({}));
        assert_eq!(pairs(&create), vec![("kms:CreateKey", "*")]);
    }

    #[test]
    fn user_pool_calls_name_the_pool() {
        let call = json_call(
            "cognito-idp",
            "AWSCognitoIdentityProviderService.AdminAddUserToGroup",
            "1.1",
            json!({"UserPoolId": "us-east-1_abc123", "Username": "jane@bank.test", "GroupName": "admin"}),
        );
        let pool = format!("arn:aws:cognito-idp:us-east-1:{ACCOUNT}:userpool/us-east-1_abc123");
        assert_eq!(call.service, "cognito-idp");
        assert_eq!(
            pairs(&call),
            vec![("cognito-idp:AdminAddUserToGroup", pool.as_str())]
        );
        let pools = json_call(
            "cognito-idp",
            "AWSCognitoIdentityProviderService.ListUserPools",
            "1.1",
            json!({"MaxResults": 10}),
        );
        assert_eq!(pairs(&pools), vec![("cognito-idp:ListUserPools", "*")]);
    }

    #[test]
    fn sqs_json_calls_name_the_queue_from_its_url() {
        let call = json_call(
            "sqs",
            "AmazonSQS.SendMessage",
            "1.0",
            json!({"QueueUrl": "http://127.0.0.1:5000/123456789012/otp-delivery", "MessageBody": "x"}),
        );
        let queue = format!("arn:aws:sqs:us-east-1:{ACCOUNT}:otp-delivery");
        assert_eq!(pairs(&call), vec![("sqs:SendMessage", queue.as_str())]);
        let batch = json_call(
            "sqs",
            "AmazonSQS.SendMessageBatch",
            "1.0",
            json!({"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/otp-delivery",
                   "Entries": [{"Id": "1", "MessageBody": "x"}]}),
        );
        assert_eq!(pairs(&batch), vec![("sqs:SendMessage", queue.as_str())]);
        let visibility = json_call(
            "sqs",
            "AmazonSQS.ChangeMessageVisibilityBatch",
            "1.0",
            json!({"QueueUrl": "http://localhost/123456789012/otp-delivery", "Entries": []}),
        );
        assert_eq!(
            pairs(&visibility),
            vec![("sqs:ChangeMessageVisibility", queue.as_str())]
        );
        let url = json_call(
            "sqs",
            "AmazonSQS.GetQueueUrl",
            "1.0",
            json!({"QueueName": "otp-delivery"}),
        );
        assert_eq!(pairs(&url), vec![("sqs:GetQueueUrl", queue.as_str())]);
        let list = json_call("sqs", "AmazonSQS.ListQueues", "1.0", json!({}));
        assert_eq!(pairs(&list), vec![("sqs:ListQueues", "*")]);
    }

    #[test]
    fn sqs_query_calls_are_understood_too() {
        let call = query_call(
            "sqs",
            "/",
            "Action=SendMessage&QueueUrl=http%3A%2F%2F127.0.0.1%3A5000%2F123456789012%2Fjobs&MessageBody=hello+world&Version=2012-11-05",
        );
        assert_eq!(call.protocol, Protocol::AwsQuery);
        assert_eq!(
            pairs(&call),
            vec![("sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:jobs")]
        );
        let on_path = query_call(
            "sqs",
            "/123456789012/jobs",
            "Action=ReceiveMessage&MaxNumberOfMessages=10",
        );
        assert_eq!(
            pairs(&on_path),
            vec![(
                "sqs:ReceiveMessage",
                "arn:aws:sqs:us-east-1:123456789012:jobs"
            )]
        );
    }

    #[test]
    fn sns_publish_names_the_topic_or_nothing_for_sms() {
        let topic = "arn:aws:sns:us-east-1:123456789012:token-events";
        let call = query_call(
            "sns",
            "/",
            "Action=Publish&Version=2010-03-31&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A123456789012%3Atoken-events&Message=%7B%22a%22%3A1%7D",
        );
        assert_eq!(call.operation.as_deref(), Some("Publish"));
        assert_eq!(pairs(&call), vec![("sns:Publish", topic)]);
        let target = query_call(
            "sns",
            "/",
            "Action=Publish&Version=2010-03-31&TargetArn=arn%3Aaws%3Asns%3Aus-east-1%3A123456789012%3Atoken-events&Message=x",
        );
        assert_eq!(pairs(&target), vec![("sns:Publish", topic)]);
        let sms = query_call(
            "sns",
            "/",
            "Action=Publish&Version=2010-03-31&PhoneNumber=%2B447700900123&Message=123456",
        );
        assert_eq!(pairs(&sms), vec![("sns:Publish", "*")]);
        let unsubscribe = query_call(
            "sns",
            "/",
            "Action=Unsubscribe&SubscriptionArn=arn%3Aaws%3Asns%3Aus-east-1%3A123456789012%3Atoken-events%3A0b1c",
        );
        assert_eq!(pairs(&unsubscribe), vec![("sns:Unsubscribe", topic)]);
    }

    #[test]
    fn unknown_calls_need_service_operation_on_everything() {
        let call = json_call(
            "logs",
            "Logs_20140328.PutLogEvents",
            "1.1",
            json!({"logGroupName": "g"}),
        );
        assert_eq!(pairs(&call), vec![("logs:PutLogEvents", "*")]);
        let query = query_call("iam", "/", "Action=ListRoles&Version=2010-05-08");
        assert_eq!(pairs(&query), vec![("iam:ListRoles", "*")]);
        let whoami = query_call("sts", "/", "Action=GetCallerIdentity&Version=2011-06-15");
        assert!(whoami.requests.is_empty());
        let mut headers = HeaderMap::new();
        headers.insert("authorization", auth("AKIAX", "s3").parse().unwrap());
        let rest = classify(&Method::GET, &"/bucket/key".parse().unwrap(), &headers, b"");
        assert_eq!(rest.protocol, Protocol::Other);
        assert_eq!(pairs(&rest), vec![("s3:GET /bucket/key", "*")]);
    }

    #[test]
    fn form_decoding() {
        assert_eq!(
            form_pairs(b"a=1&b=x+y%2Fz&c=&d"),
            vec![
                ("a".to_owned(), "1".to_owned()),
                ("b".to_owned(), "x y/z".to_owned()),
                ("c".to_owned(), String::new()),
                ("d".to_owned(), String::new()),
            ]
        );
        assert_eq!(percent_decode(b"100%"), "100%");
    }
}
