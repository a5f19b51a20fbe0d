//! The SAM template model: the resources and routes the local platform
//! provisions and serves. `template.yaml` is the single source of truth; this
//! module only reads it. Unknown resource types are ignored.

use std::collections::BTreeMap;
use std::path::Path;

use serde_norway::{Mapping, Value};

use crate::intrinsics::{Expr, normalize};

#[cfg(test)]
mod admin_api_tests;
mod api_auth;
#[cfg(test)]
mod issuer_api_tests;
#[cfg(test)]
mod jobs_tests;
mod schedule_event;
#[cfg(test)]
mod scheduled_jobs_tests;
mod stream_event;

pub use api_auth::{ApiAuth, AuthorizerSpec, EventAuth, route_auth};
pub use schedule_event::{ScheduleKind, check_expression};
pub use stream_event::StartingPosition;

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("cannot read the template file")]
    Read(#[source] std::io::Error),
    #[error("the template is not valid YAML")]
    Yaml(#[source] serde_norway::Error),
    #[error("resource {id}: {reason}")]
    Invalid { id: String, reason: &'static str },
}

#[derive(Debug, Clone)]
pub struct Parameter {
    pub kind: String,
    pub default: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Resource {
    pub kind: String,
    pub properties: Mapping,
    pub metadata: Mapping,
}

#[derive(Debug, Clone, PartialEq)]
pub struct KeyAttribute {
    pub name: String,
    /// `HASH` or `RANGE`.
    pub key_type: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IndexSpec {
    pub name: String,
    pub key_schema: Vec<KeyAttribute>,
    /// `ALL`, `KEYS_ONLY` or `INCLUDE`.
    pub projection_type: String,
    pub non_key_attributes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TableSpec {
    pub logical_id: String,
    /// `(name, S|N|B)`.
    pub attributes: Vec<(String, String)>,
    pub key_schema: Vec<KeyAttribute>,
    pub global_indexes: Vec<IndexSpec>,
    pub ttl_attribute: Option<String>,
    /// `StreamSpecification.StreamViewType` (`NEW_IMAGE`, ...): the table has a stream.
    pub stream_view_type: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RedriveSpec {
    pub dead_letter_target: Expr,
    pub max_receive_count: Expr,
}

#[derive(Debug, Clone, PartialEq)]
pub struct QueueSpec {
    pub logical_id: String,
    pub fifo: bool,
    /// Seconds; may be an expression (`!Ref Parameter`).
    pub visibility_timeout: Option<Expr>,
    pub redrive: Option<RedriveSpec>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TopicSpec {
    pub logical_id: String,
    pub fifo: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SubscriptionSpec {
    pub logical_id: String,
    pub topic: Expr,
    pub protocol: String,
    pub endpoint: Expr,
    pub raw_message_delivery: bool,
    pub filter_policy: Option<Expr>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct KeySpec {
    pub logical_id: String,
    /// `SYMMETRIC_DEFAULT`, `HMAC_256`, ...
    pub key_spec: String,
    /// `ENCRYPT_DECRYPT`, `GENERATE_VERIFY_MAC`, ...
    pub key_usage: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FunctionEvent {
    /// An API Gateway REST route; `api` is the `RestApiId` logical id, if any.
    Api {
        path: String,
        method: String,
        api: Option<String>,
        /// Its `Auth` (see [`route_auth`] for what it resolves to).
        auth: EventAuth,
    },
    Sqs {
        queue: Expr,
        batch_size: Option<u32>,
        /// `FunctionResponseTypes` contains `ReportBatchItemFailures`.
        report_batch_item_failures: bool,
    },
    Sns {
        topic: Expr,
    },
    /// A DynamoDB stream event source mapping (SAM `DynamoDB` event), with
    /// Lambda's defaults filled in.
    DynamoDb {
        /// The stream ARN (`!GetAtt Table.StreamArn`).
        stream: Expr,
        starting_position: StartingPosition,
        /// `BatchSize`, default 100.
        batch_size: u32,
        /// `MaximumBatchingWindowInSeconds`, default 0.
        maximum_batching_window: std::time::Duration,
        bisect_batch_on_function_error: bool,
        /// `MaximumRetryAttempts`; -1 (the default) retries until the record expires.
        maximum_retry_attempts: i32,
        /// `FunctionResponseTypes` contains `ReportBatchItemFailures`.
        report_batch_item_failures: bool,
        /// `DestinationConfig.OnFailure.Destination`: an SQS queue or SNS topic ARN.
        on_failure: Option<Expr>,
        /// `FilterCriteria.Filters[].Pattern`: Lambda filter patterns (JSON text).
        filters: Vec<String>,
    },
    /// A `Schedule` (EventBridge rule) or `ScheduleV2` (EventBridge
    /// Scheduler) event: never fired locally, run on request (`crate::jobs`).
    Schedule {
        kind: ScheduleKind,
        /// `Schedule` / `ScheduleExpression` (`rate(...)`, `cron(...)`), may
        /// be `!Ref Parameter`; a literal one is already checked.
        expression: Expr,
        /// `Enabled` / `State`; true unless disabled.
        enabled: bool,
        /// `Name`: the rule's (or schedule's) name; else CloudFormation's.
        name: Option<Expr>,
        /// `Input`: JSON text the function gets instead of the scheduled event.
        input: Option<Expr>,
    },
    Other {
        kind: String,
    },
}

/// One of an API's `GatewayResponses` (SAM): what API Gateway answers for an
/// error it produces itself. Values are literal text, as API Gateway takes them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GatewayResponseSpec {
    /// `StatusCode`; `None` keeps the status of the error that occurred.
    pub status_code: Option<u16>,
    /// `ResponseParameters.Headers`, values unquoted (`"'application/json'"` is `application/json`).
    pub headers: Vec<(String, String)>,
    /// `ResponseTemplates`: content type → mapping template (`$context...` variables).
    pub templates: BTreeMap<String, String>,
}

/// An `AWS::Serverless::Api`.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiSpec {
    pub logical_id: String,
    /// Response type (`ACCESS_DENIED`, `DEFAULT_5XX`, ...) → its response.
    pub gateway_responses: BTreeMap<String, GatewayResponseSpec>,
    /// The template parameter its resource policy matches `aws:SourceIp`
    /// against (`AllowedTspCidrs`), if one: the API's allow-list.
    pub source_ip_parameter: Option<String>,
    /// Its `Auth.Authorizers` and `Auth.DefaultAuthorizer`.
    pub auth: ApiAuth,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FunctionSpec {
    pub logical_id: String,
    /// `Metadata.BuildProperties.Binary`: the cargo binary (and registry) name.
    pub binary: String,
    /// Globals merged under the function's own variables; values unresolved.
    pub environment: BTreeMap<String, Expr>,
    /// `(event name, event)`.
    pub events: Vec<(String, FunctionEvent)>,
}

#[derive(Debug, Clone)]
pub struct Template {
    pub parameters: BTreeMap<String, Parameter>,
    pub conditions: Mapping,
    pub resources: BTreeMap<String, Resource>,
    pub tables: Vec<TableSpec>,
    pub queues: Vec<QueueSpec>,
    pub topics: Vec<TopicSpec>,
    pub subscriptions: Vec<SubscriptionSpec>,
    pub keys: Vec<KeySpec>,
    pub apis: Vec<ApiSpec>,
    pub functions: Vec<FunctionSpec>,
}

impl Template {
    pub fn from_path(path: &Path) -> Result<Self, TemplateError> {
        let text = std::fs::read_to_string(path).map_err(TemplateError::Read)?;
        Self::parse(&text)
    }

    pub fn parse(text: &str) -> Result<Self, TemplateError> {
        let doc: Value = serde_norway::from_str(text).map_err(TemplateError::Yaml)?;
        let doc = normalize(doc);
        let parameters = map_of(&doc, "Parameters")
            .iter()
            .filter_map(|(k, v)| {
                Some((
                    k.as_str()?.to_owned(),
                    Parameter {
                        kind: str_of(v, "Type").unwrap_or("String").to_owned(),
                        default: v.get("Default").and_then(scalar_string),
                    },
                ))
            })
            .collect();
        let globals_env = env_vars(doc.get("Globals").and_then(|g| g.get("Function")));
        let mut resources = BTreeMap::new();
        for (k, v) in map_of(&doc, "Resources") {
            let Some(id) = k.as_str() else { continue };
            resources.insert(
                id.to_owned(),
                Resource {
                    kind: str_of(&v, "Type").unwrap_or_default().to_owned(),
                    properties: map_of(&v, "Properties"),
                    metadata: map_of(&v, "Metadata"),
                },
            );
        }
        let mut t = Template {
            parameters,
            conditions: map_of(&doc, "Conditions"),
            resources,
            tables: Vec::new(),
            queues: Vec::new(),
            topics: Vec::new(),
            subscriptions: Vec::new(),
            keys: Vec::new(),
            apis: Vec::new(),
            functions: Vec::new(),
        };
        for (id, r) in &t.resources {
            let p = &r.properties;
            match r.kind.as_str() {
                "AWS::DynamoDB::Table" => t.tables.push(table(id, p)?),
                "AWS::SQS::Queue" => t.queues.push(queue(id, p)?),
                "AWS::SNS::Topic" => t.topics.push(TopicSpec {
                    logical_id: id.clone(),
                    fifo: bool_of(p, "FifoTopic"),
                }),
                "AWS::SNS::Subscription" => t.subscriptions.push(subscription(id, p)?),
                "AWS::KMS::Key" => t.keys.push(KeySpec {
                    logical_id: id.clone(),
                    key_spec: pstr(p, "KeySpec").unwrap_or("SYMMETRIC_DEFAULT").to_owned(),
                    key_usage: pstr(p, "KeyUsage").unwrap_or("ENCRYPT_DECRYPT").to_owned(),
                    description: pstr(p, "Description").map(str::to_owned),
                }),
                "AWS::Serverless::Function" => {
                    t.functions.push(function(id, r, &globals_env)?);
                }
                "AWS::Serverless::Api" => t.apis.push(ApiSpec {
                    logical_id: id.clone(),
                    gateway_responses: gateway_responses(id, p)?,
                    source_ip_parameter: source_ip_parameter(p, &t.parameters),
                    auth: api_auth::api_auth(id, p)?,
                }),
                _ => {}
            }
        }
        api_auth::check_events(&t)?;
        Ok(t)
    }

    pub fn function(&self, logical_id: &str) -> Option<&FunctionSpec> {
        self.functions.iter().find(|f| f.logical_id == logical_id)
    }

    pub fn api(&self, logical_id: &str) -> Option<&ApiSpec> {
        self.apis.iter().find(|a| a.logical_id == logical_id)
    }
}

fn invalid(id: &str, reason: &'static str) -> TemplateError {
    TemplateError::Invalid {
        id: id.to_owned(),
        reason,
    }
}

fn map_of(v: &Value, key: &str) -> Mapping {
    v.get(key)
        .and_then(Value::as_mapping)
        .cloned()
        .unwrap_or_default()
}

fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn pstr<'a>(p: &'a Mapping, key: &str) -> Option<&'a str> {
    p.get(key).and_then(Value::as_str)
}

fn bool_of(p: &Mapping, key: &str) -> bool {
    match p.get(key) {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

fn u32_of(p: &Mapping, key: &str) -> Option<u32> {
    p.get(key)
        .and_then(scalar_string)
        .and_then(|s| s.parse().ok())
}

/// Strings, numbers and booleans as CloudFormation passes them: text.
pub(crate) fn scalar_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn env_vars(holder: Option<&Value>) -> BTreeMap<String, Expr> {
    holder
        .and_then(|h| h.get("Environment"))
        .and_then(|e| e.get("Variables"))
        .and_then(Value::as_mapping)
        .map(|vars| {
            vars.iter()
                .filter_map(|(k, v)| Some((k.as_str()?.to_owned(), Expr(v.clone()))))
                .collect()
        })
        .unwrap_or_default()
}

fn key_schema(id: &str, v: Option<&Value>) -> Result<Vec<KeyAttribute>, TemplateError> {
    let seq = v
        .and_then(Value::as_sequence)
        .ok_or_else(|| invalid(id, "KeySchema is missing"))?;
    seq.iter()
        .map(|k| {
            Some(KeyAttribute {
                name: str_of(k, "AttributeName")?.to_owned(),
                key_type: str_of(k, "KeyType")?.to_owned(),
            })
        })
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| invalid(id, "KeySchema entry lacks AttributeName or KeyType"))
}

fn table(id: &str, p: &Mapping) -> Result<TableSpec, TemplateError> {
    let attributes = p
        .get("AttributeDefinitions")
        .and_then(Value::as_sequence)
        .ok_or_else(|| invalid(id, "AttributeDefinitions is missing"))?
        .iter()
        .map(|a| {
            Some((
                str_of(a, "AttributeName")?.to_owned(),
                str_of(a, "AttributeType")?.to_owned(),
            ))
        })
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| invalid(id, "AttributeDefinitions entry is incomplete"))?;
    let mut global_indexes = Vec::new();
    for gsi in p
        .get("GlobalSecondaryIndexes")
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
    {
        let projection = gsi.get("Projection");
        global_indexes.push(IndexSpec {
            name: str_of(gsi, "IndexName")
                .ok_or_else(|| invalid(id, "a GSI lacks IndexName"))?
                .to_owned(),
            key_schema: key_schema(id, gsi.get("KeySchema"))?,
            projection_type: projection
                .and_then(|p| str_of(p, "ProjectionType"))
                .unwrap_or("ALL")
                .to_owned(),
            non_key_attributes: projection
                .and_then(|p| p.get("NonKeyAttributes"))
                .and_then(Value::as_sequence)
                .map(|s| s.iter().filter_map(scalar_string).collect())
                .unwrap_or_default(),
        });
    }
    let ttl = p.get("TimeToLiveSpecification");
    let ttl_enabled = ttl
        .and_then(|t| t.get("Enabled"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    Ok(TableSpec {
        logical_id: id.to_owned(),
        attributes,
        key_schema: key_schema(id, p.get("KeySchema"))?,
        global_indexes,
        ttl_attribute: ttl
            .and_then(|t| str_of(t, "AttributeName"))
            .filter(|_| ttl_enabled)
            .map(str::to_owned),
        stream_view_type: p
            .get("StreamSpecification")
            .and_then(|s| str_of(s, "StreamViewType"))
            .map(str::to_owned),
    })
}

fn queue(id: &str, p: &Mapping) -> Result<QueueSpec, TemplateError> {
    let redrive = match p.get("RedrivePolicy") {
        None => None,
        Some(r) => Some(RedriveSpec {
            dead_letter_target: Expr(
                r.get("deadLetterTargetArn")
                    .cloned()
                    .ok_or_else(|| invalid(id, "RedrivePolicy lacks deadLetterTargetArn"))?,
            ),
            max_receive_count: Expr(
                r.get("maxReceiveCount")
                    .cloned()
                    .ok_or_else(|| invalid(id, "RedrivePolicy lacks maxReceiveCount"))?,
            ),
        }),
    };
    Ok(QueueSpec {
        logical_id: id.to_owned(),
        fifo: bool_of(p, "FifoQueue"),
        visibility_timeout: p.get("VisibilityTimeout").cloned().map(Expr),
        redrive,
    })
}

fn subscription(id: &str, p: &Mapping) -> Result<SubscriptionSpec, TemplateError> {
    Ok(SubscriptionSpec {
        logical_id: id.to_owned(),
        topic: Expr(
            p.get("TopicArn")
                .cloned()
                .ok_or_else(|| invalid(id, "TopicArn is missing"))?,
        ),
        protocol: pstr(p, "Protocol")
            .ok_or_else(|| invalid(id, "Protocol is missing"))?
            .to_owned(),
        endpoint: Expr(
            p.get("Endpoint")
                .cloned()
                .ok_or_else(|| invalid(id, "Endpoint is missing"))?,
        ),
        raw_message_delivery: bool_of(p, "RawMessageDelivery"),
        filter_policy: p.get("FilterPolicy").cloned().map(Expr),
    })
}

/// The parameter an API's resource policy (`Auth.ResourcePolicy.CustomStatements`)
/// compares `aws:SourceIp` with, in an `IpAddress` or `NotIpAddress` condition
/// (`!Ref AllowedTspCidrs`); the first one, if several.
fn source_ip_parameter(p: &Mapping, parameters: &BTreeMap<String, Parameter>) -> Option<String> {
    let statements = p
        .get("Auth")?
        .get("ResourcePolicy")?
        .get("CustomStatements")?
        .as_sequence()?;
    statements.iter().find_map(|statement| {
        let condition = statement.get("Condition")?;
        ["NotIpAddress", "IpAddress"].iter().find_map(|operator| {
            let source = condition.get(*operator)?.get("aws:SourceIp")?;
            Expr(source.clone())
                .references()
                .into_iter()
                .find(|name| parameters.contains_key(name))
        })
    })
}

/// SAM's `GatewayResponses`. Only literal values are taken: a mapping such as
/// `method.request.header.X` or an intrinsic function cannot be reproduced
/// locally, so it is an error rather than a silent difference.
fn gateway_responses(
    id: &str,
    p: &Mapping,
) -> Result<BTreeMap<String, GatewayResponseSpec>, TemplateError> {
    let mut out = BTreeMap::new();
    let Some(responses) = p.get("GatewayResponses") else {
        return Ok(out);
    };
    let responses = responses
        .as_mapping()
        .ok_or_else(|| invalid(id, "GatewayResponses must be a map of response types"))?;
    for (kind, r) in responses {
        let kind = kind
            .as_str()
            .ok_or_else(|| invalid(id, "a GatewayResponses key is not text"))?;
        let status_code = match r.get("StatusCode") {
            None => None,
            Some(v) => Some(
                scalar_string(v)
                    .and_then(|s| s.parse::<u16>().ok())
                    .filter(|c| (100..=599).contains(c))
                    .ok_or_else(|| {
                        invalid(id, "a GatewayResponses StatusCode is not an HTTP status")
                    })?,
            ),
        };
        let mut headers = Vec::new();
        for (name, value) in map_of(r, "ResponseParameters")
            .get("Headers")
            .and_then(Value::as_mapping)
            .into_iter()
            .flatten()
        {
            let static_value = value
                .as_str()
                .and_then(|v| v.strip_prefix('\'')?.strip_suffix('\''));
            match (name.as_str(), static_value) {
                (Some(name), Some(value)) => headers.push((name.to_owned(), value.to_owned())),
                // CORS for a panel served from another origin (its CloudFront site):
                // locally the panel and the APIs share one origin, so the header (a
                // parameter of the deployment) has nothing to do here.
                (Some(name), None) if name.starts_with("Access-Control-") => {}
                _ => {
                    return Err(invalid(
                        id,
                        "GatewayResponses header values must be quoted literals ('...') locally",
                    ));
                }
            }
        }
        let mut templates = BTreeMap::new();
        for (content_type, body) in map_of(r, "ResponseTemplates") {
            match (content_type.as_str(), body.as_str()) {
                (Some(c), Some(b)) => {
                    templates.insert(c.to_owned(), b.to_owned());
                }
                _ => {
                    return Err(invalid(
                        id,
                        "GatewayResponses templates must be literal text locally",
                    ));
                }
            }
        }
        out.insert(
            kind.to_owned(),
            GatewayResponseSpec {
                status_code,
                headers,
                templates,
            },
        );
    }
    Ok(out)
}

/// `FunctionResponseTypes` contains `ReportBatchItemFailures`.
fn reports_batch_item_failures(ep: &Mapping) -> bool {
    ep.get("FunctionResponseTypes")
        .and_then(Value::as_sequence)
        .is_some_and(|s| {
            s.iter()
                .any(|t| t.as_str() == Some("ReportBatchItemFailures"))
        })
}

fn function(
    id: &str,
    r: &Resource,
    globals_env: &BTreeMap<String, Expr>,
) -> Result<FunctionSpec, TemplateError> {
    let binary = r
        .metadata
        .get("BuildProperties")
        .and_then(|b| str_of(b, "Binary"))
        .ok_or_else(|| invalid(id, "Metadata.BuildProperties.Binary is missing"))?
        .to_owned();
    let props = Value::Mapping(r.properties.clone());
    let mut environment = globals_env.clone();
    environment.extend(env_vars(Some(&props)));
    let mut events = Vec::new();
    for (name, ev) in map_of(&props, "Events") {
        let Some(name) = name.as_str() else { continue };
        let kind = str_of(&ev, "Type").unwrap_or_default();
        let ep = map_of(&ev, "Properties");
        let event = match kind {
            "Api" => FunctionEvent::Api {
                path: pstr(&ep, "Path")
                    .ok_or_else(|| invalid(id, "an Api event lacks Path"))?
                    .to_owned(),
                method: pstr(&ep, "Method")
                    .ok_or_else(|| invalid(id, "an Api event lacks Method"))?
                    .to_owned(),
                api: ep
                    .get("RestApiId")
                    .map(|e| Expr(e.clone()).references())
                    .and_then(|r| r.into_iter().next()),
                auth: api_auth::event_auth(id, &ep)?,
            },
            "SQS" => FunctionEvent::Sqs {
                queue: Expr(
                    ep.get("Queue")
                        .cloned()
                        .ok_or_else(|| invalid(id, "an SQS event lacks Queue"))?,
                ),
                batch_size: u32_of(&ep, "BatchSize"),
                report_batch_item_failures: reports_batch_item_failures(&ep),
            },
            "DynamoDB" => stream_event::dynamodb(id, &ep)?,
            "SNS" => FunctionEvent::Sns {
                topic: Expr(
                    ep.get("Topic")
                        .cloned()
                        .ok_or_else(|| invalid(id, "an SNS event lacks Topic"))?,
                ),
            },
            "Schedule" => schedule_event::schedule(id, ScheduleKind::Rule, &ep)?,
            "ScheduleV2" => schedule_event::schedule(id, ScheduleKind::Scheduler, &ep)?,
            other => FunctionEvent::Other {
                kind: other.to_owned(),
            },
        };
        events.push((name.to_owned(), event));
    }
    Ok(FunctionSpec {
        logical_id: id.to_owned(),
        binary,
        environment,
        events,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SNIPPET: &str = r#"
Parameters:
  Timeout: { Type: Number, Default: 2500 }
  Level: { Type: String, Default: info }
Globals:
  Function:
    Environment:
      Variables:
        RUST_LOG: !Ref Level
        SHARED: global
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions:
        - { AttributeName: pk, AttributeType: S }
        - { AttributeName: g, AttributeType: N }
      KeySchema: [{ AttributeName: pk, KeyType: HASH }]
      GlobalSecondaryIndexes:
        - IndexName: byG
          KeySchema: [{ AttributeName: g, KeyType: HASH }]
          Projection: { ProjectionType: INCLUDE, NonKeyAttributes: [status] }
      TimeToLiveSpecification: { AttributeName: expires_at, Enabled: true }
  Dlq: { Type: AWS::SQS::Queue, Properties: { FifoQueue: true } }
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 60
      RedrivePolicy: { deadLetterTargetArn: !GetAtt Dlq.Arn, maxReceiveCount: 3 }
  Topic: { Type: AWS::SNS::Topic }
  Sub:
    Type: AWS::SNS::Subscription
    Properties: { TopicArn: !Ref Topic, Protocol: sqs, Endpoint: { "Fn::GetAtt": [Queue, Arn] } }
  Hmac: { Type: AWS::KMS::Key, Properties: { KeySpec: HMAC_256, KeyUsage: GENERATE_VERIFY_MAC } }
  Bucket: { Type: AWS::S3::Bucket }
  Fn:
    Type: AWS::Serverless::Function
    Metadata: { BuildProperties: { Binary: my-fn } }
    Properties:
      Environment:
        Variables:
          SHARED: own
          TABLE: !Ref Table
      Events:
        Get: { Type: Api, Properties: { Path: "/cards/{cardId}", Method: get, RestApiId: !Ref Api } }
        Nightly: { Type: Schedule, Properties: { Schedule: rate(1 day) } }
        Jobs: { Type: SQS, Properties: { Queue: !GetAtt Queue.Arn, BatchSize: 5 } }
"#;

    #[test]
    fn parses_every_supported_resource_and_ignores_unknown_ones() {
        // GIVEN a template with each supported type and an S3 bucket
        let t = Template::parse(SNIPPET).unwrap();
        // THEN tables carry keys, GSIs with projection and the TTL attribute
        assert_eq!(t.tables.len(), 1);
        let table = &t.tables[0];
        assert_eq!(table.attributes[1], ("g".to_owned(), "N".to_owned()));
        assert_eq!(table.global_indexes[0].projection_type, "INCLUDE");
        assert_eq!(table.global_indexes[0].non_key_attributes, vec!["status"]);
        assert_eq!(table.ttl_attribute.as_deref(), Some("expires_at"));
        // AND queues carry FIFO, visibility timeout and the redrive target
        let q = t.queues.iter().find(|q| q.logical_id == "Queue").unwrap();
        assert_eq!(q.visibility_timeout, Some(Expr(Value::from(60))));
        let redrive = q.redrive.as_ref().unwrap();
        assert_eq!(redrive.max_receive_count, Expr(Value::from(3)));
        assert_eq!(redrive.dead_letter_target.references(), vec!["Dlq"]);
        assert!(t.queues.iter().any(|q| q.logical_id == "Dlq" && q.fifo));
        // AND topics, subscriptions and keys are present
        assert_eq!(t.topics.len(), 1);
        assert_eq!(t.subscriptions[0].endpoint.references(), vec!["Queue"]);
        assert_eq!(t.keys[0].key_spec, "HMAC_256");
        // AND the unknown type is kept as a resource only
        assert_eq!(t.resources["Bucket"].kind, "AWS::S3::Bucket");
        assert_eq!(t.parameters["Timeout"].default.as_deref(), Some("2500"));
    }

    #[test]
    fn function_env_merges_globals_under_its_own_and_events_parse() {
        let t = Template::parse(SNIPPET).unwrap();
        let f = t.function("Fn").unwrap();
        assert_eq!(f.binary, "my-fn");
        // GIVEN SHARED in both Globals and the function: the function wins
        assert_eq!(f.environment["SHARED"], Expr::literal("own"));
        assert_eq!(f.environment["RUST_LOG"].references(), vec!["Level"]);
        assert_eq!(f.environment["TABLE"].references(), vec!["Table"]);
        // AND Api, Schedule and SQS events are modelled
        let events: BTreeMap<_, _> = f.events.iter().cloned().collect();
        assert_eq!(
            events["Get"],
            FunctionEvent::Api {
                path: "/cards/{cardId}".into(),
                method: "get".into(),
                api: Some("Api".into()),
                auth: EventAuth::default(),
            }
        );
        assert_eq!(
            events["Nightly"],
            FunctionEvent::Schedule {
                kind: ScheduleKind::Rule,
                expression: Expr::literal("rate(1 day)"),
                enabled: true,
                name: None,
                input: None,
            }
        );
        assert!(matches!(
            events["Jobs"],
            FunctionEvent::Sqs {
                batch_size: Some(5),
                ..
            }
        ));
    }

    #[test]
    fn a_function_without_a_binary_is_rejected_with_its_id() {
        let err = Template::parse(
            "Resources: { F: { Type: AWS::Serverless::Function, Properties: {} } }",
        )
        .unwrap_err();
        assert!(err.to_string().contains("resource F"), "{err}");
    }

    fn workspace_template() -> Template {
        Template::from_path(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../template.yaml"))
            .unwrap()
    }

    /// The value at `path` (map keys, or list indexes as numbers) below `v`.
    fn at<'a>(v: &'a Value, path: &[&str]) -> &'a Value {
        path.iter().fold(v, |v, key| match key.parse::<usize>() {
            Ok(i) => &v[i],
            Err(_) => v.get(*key).unwrap_or_else(|| panic!("no {key} in {v:?}")),
        })
    }

    fn props(t: &Template, id: &str) -> Value {
        Value::Mapping(t.resources[id].properties.clone())
    }

    fn yaml(text: &str) -> Value {
        serde_norway::from_str(text).unwrap()
    }

    fn number(v: &Value) -> u64 {
        scalar_string(v).unwrap().parse().unwrap()
    }

    /// The names of one network's API edge in the template.
    struct Edge {
        api: &'static str,
        cidrs: &'static str,
        has_domain: &'static str,
        domain: &'static str,
        domain_name: &'static str,
        certificate: &'static str,
        truststore: &'static str,
        mapping: &'static str,
        web_acl: &'static str,
        has_web_acl: &'static str,
        /// Its routes' prefix and how many there are.
        prefix: &'static str,
        routes: usize,
        /// Operations held tighter than the stage default.
        tighter: &'static [&'static str],
    }

    const TSP: Edge = Edge {
        api: "TspApi",
        cidrs: "AllowedTspCidrs",
        has_domain: "HasTspDomain",
        domain: "TspDomain",
        domain_name: "TspDomainName",
        certificate: "TspCertificateArn",
        truststore: "TspTruststoreUri",
        mapping: "TspBasePathMapping",
        web_acl: "TspWebAclAssociation",
        has_web_acl: "HasWebAcl",
        prefix: "/mdes/",
        routes: 7,
        tighter: &[
            "/~1mdes~1authorizeService",
            "/~1mdes~1deliverActivationCode",
        ],
    };

    const VTS: Edge = Edge {
        api: "VtsApi",
        cidrs: "AllowedVtsCidrs",
        has_domain: "HasVtsDomain",
        domain: "VtsDomain",
        domain_name: "VtsDomainName",
        certificate: "VtsCertificateArn",
        truststore: "VtsTruststoreUri",
        mapping: "VtsBasePathMapping",
        web_acl: "VtsWebAclAssociation",
        has_web_acl: "HasVtsWebAcl",
        prefix: "/vts/v1/",
        routes: 5,
        tighter: &[
            "/~1vts~1v1~1checkEligibility",
            "/~1vts~1v1~1tokenRequestors~1{tokenRequestorID}~1tokens~1{tokenReferenceID}~1approveProvisioning",
            "/~1vts~1v1~1sendPasscode",
        ],
    };

    #[test]
    fn each_network_api_admits_only_its_allowed_networks_through_its_mtls_domain() {
        for edge in [TSP, VTS] {
            admits_only_allowed_networks_through_the_mtls_domain(&edge);
        }
    }

    fn admits_only_allowed_networks_through_the_mtls_domain(e: &Edge) {
        let t = workspace_template();
        let api = props(&t, e.api);
        // THEN the resource policy allows invoke and denies any source outside its CIDRs
        let statements = at(&api, &["Auth", "ResourcePolicy", "CustomStatements"])
            .as_sequence()
            .unwrap();
        let deny = statements
            .iter()
            .find(|s| s["Effect"] == "Deny")
            .expect("a Deny statement");
        assert_eq!(deny["Action"], "execute-api:Invoke");
        assert_eq!(deny["Resource"], "execute-api:/*");
        assert_eq!(
            at(deny, &["Condition", "NotIpAddress", "aws:SourceIp"]),
            &yaml(&format!("{{Ref: {}}}", e.cidrs))
        );
        assert!(
            statements
                .iter()
                .any(|s| s["Effect"] == "Allow" && s["Action"] == "execute-api:Invoke")
        );
        // AND the parser finds that parameter as the API's allow-list
        assert_eq!(
            t.api(e.api).unwrap().source_ip_parameter.as_deref(),
            Some(e.cidrs)
        );
        // AND it is a list that fails closed by default (a documentation range)
        let cidrs = &t.parameters[e.cidrs];
        assert_eq!(cidrs.kind, "CommaDelimitedList");
        let default = cidrs.default.as_deref().unwrap();
        assert!(!default.contains("0.0.0.0/0") && !default.contains("::/0"));
        let documentation = crate::gateway::cidr::AllowList::parse("192.0.2.0/24").unwrap();
        for cidr in crate::gateway::cidr::AllowList::parse(default)
            .unwrap()
            .cidrs()
        {
            assert!(
                documentation.allows(cidr.network()),
                "{cidr} is a real network"
            );
        }
        // AND with a domain, execute-api is disabled: the network must come through mutual TLS
        assert_eq!(
            api["DisableExecuteApiEndpoint"],
            yaml(&format!(r#"{{"Fn::If": [{}, true, false]}}"#, e.has_domain))
        );
        assert_eq!(
            t.conditions[e.has_domain],
            yaml(&format!(
                r#"{{"Fn::Not": [{{"Fn::Equals": [{{Ref: {}}}, ""]}}]}}"#,
                e.domain_name
            ))
        );
        let domain = &t.resources[e.domain];
        assert_eq!(domain.kind, "AWS::ApiGateway::DomainName");
        let d = props(&t, e.domain);
        assert_eq!(d["SecurityPolicy"], "TLS_1_2");
        let reference = |name: &str| yaml(&format!("{{Ref: {name}}}"));
        assert_eq!(d["RegionalCertificateArn"], reference(e.certificate));
        assert_eq!(at(&d, &["EndpointConfiguration", "Types", "0"]), "REGIONAL");
        assert_eq!(
            at(&d, &["MutualTlsAuthentication", "TruststoreUri"]),
            &reference(e.truststore)
        );
        let mapping = props(&t, e.mapping);
        assert_eq!(mapping["RestApiId"], reference(e.api));
        assert_eq!(mapping["DomainName"], reference(e.domain));
        // AND the domain, its mapping and the WAF association exist only when configured
        let doc: Value = yaml(
            &std::fs::read_to_string(
                Path::new(env!("CARGO_MANIFEST_DIR")).join("../../template.yaml"),
            )
            .unwrap(),
        );
        let condition = |id: &str| at(&doc, &["Resources", id, "Condition"]).clone();
        assert_eq!(condition(e.domain), e.has_domain);
        assert_eq!(condition(e.mapping), e.has_domain);
        assert_eq!(condition(e.web_acl), e.has_web_acl);
        assert_eq!(t.resources[e.web_acl].kind, "AWS::WAFv2::WebACLAssociation");
        assert!(t.conditions.contains_key(e.has_web_acl));
    }

    #[test]
    fn each_network_api_throttles_each_operation_and_logs_every_access_without_bodies() {
        for edge in [TSP, VTS] {
            throttles_each_operation_and_logs_every_access_without_bodies(&edge);
        }
    }

    fn throttles_each_operation_and_logs_every_access_without_bodies(e: &Edge) {
        let t = workspace_template();
        let api = props(&t, e.api);
        let settings = api["MethodSettings"].as_sequence().unwrap();
        let setting = |path: &str| {
            settings
                .iter()
                .find(|s| s["ResourcePath"] == path)
                .unwrap_or_else(|| panic!("no MethodSettings for {path}"))
        };
        let stage = setting("/*");
        let (default_burst, default_rate) = (
            number(&stage["ThrottlingBurstLimit"]),
            number(&stage["ThrottlingRateLimit"]),
        );
        // THEN every route of the API has its own throttling (API Gateway's ~1 encoding)
        let routes: Vec<&str> = t
            .functions
            .iter()
            .flat_map(|f| f.events.iter())
            .filter_map(|(_, event)| match event {
                FunctionEvent::Api { path, api, .. } if api.as_deref() == Some(e.api) => {
                    Some(path.as_str())
                }
                _ => None,
            })
            .collect();
        assert_eq!(routes.len(), e.routes, "{routes:?}");
        for path in &routes {
            // AND only this network's routes are on its API
            assert!(path.starts_with(e.prefix), "{path} on {}", e.api);
            let s = setting(&path.replace('/', "~1").replacen("~1", "/~1", 1));
            assert_eq!(s["HttpMethod"], "POST");
            assert!(number(&s["ThrottlingRateLimit"]) <= default_rate, "{path}");
            assert!(
                number(&s["ThrottlingBurstLimit"]) <= default_burst,
                "{path}"
            );
        }
        // AND the operations that call the issuer or send a message are held tighter
        for path in e.tighter.iter().copied() {
            assert!(number(&setting(path)["ThrottlingRateLimit"]) < default_rate);
            assert!(number(&setting(path)["ThrottlingBurstLimit"]) < default_burst);
        }
        // AND no setting turns on execution logs or data trace (they would log bodies)
        for s in settings {
            assert_eq!(s["LoggingLevel"], "OFF");
            assert_eq!(s["DataTraceEnabled"], Value::Bool(false));
        }
        // AND the access log goes to a KMS-encrypted log group with a retention
        let log = at(&api, &["AccessLogSetting"]);
        let Some([group, attr]) = log["DestinationArn"]["Fn::GetAtt"]
            .as_sequence()
            .map(Vec::as_slice)
        else {
            panic!("DestinationArn is not a GetAtt: {log:?}")
        };
        assert_eq!(attr, "Arn");
        let group = group.as_str().unwrap();
        assert_eq!(t.resources[group].kind, "AWS::Logs::LogGroup");
        let g = props(&t, group);
        let retention = &t.parameters[g["RetentionInDays"]["Ref"].as_str().unwrap()];
        let days: u32 = retention.default.as_deref().unwrap().parse().unwrap();
        assert!(
            days >= 365,
            "PCI DSS 10.5.1 keeps audit logs a year: {days}"
        );
        assert_eq!(g["KmsKeyId"], yaml(r#"{"Fn::GetAtt": [SecretsKey, Arn]}"#));
        // AND its format is JSON with who, what and how long, and nothing of the body
        let format: serde_json::Value =
            serde_json::from_str(log["Format"].as_str().unwrap()).unwrap();
        for (field, variable) in [
            ("requestId", "$context.requestId"),
            ("ip", "$context.identity.sourceIp"),
            ("status", "$context.status"),
            ("path", "$context.path"),
            ("responseLatency", "$context.responseLatency"),
        ] {
            assert_eq!(format[field], variable, "{field}");
        }
        let text = log["Format"].as_str().unwrap().to_ascii_lowercase();
        assert!(!text.contains("body") && !text.contains("$input"), "{text}");
        // AND SecretsKey lets CloudWatch Logs use it for exactly that log group
        let name = g["LogGroupName"]["Fn::Sub"].as_str().unwrap();
        let wanted = format!(
            "arn:${{AWS::Partition}}:logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:{name}"
        );
        let key = props(&t, "SecretsKey");
        let granted = at(&key, &["KeyPolicy", "Statement"])
            .as_sequence()
            .unwrap()
            .iter()
            .filter(|s| {
                s["Principal"]["Service"]
                    == yaml(r#"{"Fn::Sub": "logs.${AWS::Region}.amazonaws.com"}"#)
            })
            .filter_map(|s| {
                s["Condition"]
                    .get("ArnEquals")?
                    .get("kms:EncryptionContext:aws:logs:arn")?
                    .get("Fn::Sub")?
                    .as_str()
            })
            .any(|arn| arn == wanted);
        assert!(granted, "no grant to CloudWatch Logs for {name}");
    }

    #[test]
    fn every_error_api_gateway_produces_answers_in_mdes_errors_response_shape() {
        let t = workspace_template();
        let responses = &t.api("TspApi").unwrap().gateway_responses;
        let codes = [
            "INVALID_JSON",
            "MISSING_REQUIRED_FIELD",
            "INVALID_FIELD_FORMAT",
            "INVALID_FIELD_LENGTH",
            "INVALID_FIELD_VALUE",
            "CRYPTOGRAPHY_ERROR",
            "INTERNAL_SERVICE_FAILURE",
        ];
        for kind in [
            "DEFAULT_4XX",
            "DEFAULT_5XX",
            "ACCESS_DENIED",
            "WAF_FILTERED",
            "MISSING_AUTHENTICATION_TOKEN",
            "REQUEST_TOO_LARGE",
            "THROTTLED",
            "INTEGRATION_FAILURE",
            "INTEGRATION_TIMEOUT",
        ] {
            let r = responses.get(kind).unwrap_or_else(|| panic!("no {kind}"));
            assert!(
                r.headers
                    .contains(&("Content-Type".to_owned(), "application/json".to_owned())),
                "{kind}"
            );
            let body: serde_json::Value =
                serde_json::from_str(&r.templates["application/json"]).unwrap();
            let fields: Vec<&str> = body
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            assert_eq!(
                fields,
                ["errorCode", "errorDescription", "responseId"],
                "{kind}"
            );
            assert_eq!(body["responseId"], "$context.requestId", "{kind}");
            let code = body["errorCode"].as_str().unwrap();
            assert!(codes.contains(&code), "{kind}: {code}");
            // A fixed description: never API Gateway's message, which can name ARNs
            assert!(
                !body["errorDescription"].as_str().unwrap().contains('$'),
                "{kind}"
            );
            if kind.contains("5XX") || kind.starts_with("INTEGRATION") || kind == "THROTTLED" {
                assert_eq!(code, "INTERNAL_SERVICE_FAILURE", "{kind}");
            }
        }
    }

    #[test]
    fn every_error_api_gateway_produces_on_the_vts_api_answers_in_visa_error_shape() {
        let t = workspace_template();
        let responses = &t.api("VtsApi").unwrap().gateway_responses;
        // The codes of tmp-vts's VtsErrorCode (shared/vts/src/error.rs).
        let codes = [
            "ISE40000", "ISE40005", "ISE40006", "ISE40010", "ISE40011", "ISE40500", "ISE40501",
            "ISE40504",
        ];
        for (kind, r) in responses {
            assert!(
                r.headers
                    .contains(&("Content-Type".to_owned(), "application/json".to_owned())),
                "{kind}"
            );
            let body: serde_json::Value =
                serde_json::from_str(&r.templates["application/json"]).unwrap();
            let fields: Vec<&str> = body
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            // THEN exactly Visa's two members, never MDES's responseId
            assert_eq!(fields, ["errorCode", "errorDescription"], "{kind}");
            let code = body["errorCode"].as_str().unwrap();
            assert!(codes.contains(&code), "{kind}: {code}");
            assert!(
                !body["errorDescription"].as_str().unwrap().contains('$'),
                "{kind}"
            );
            // AND never ISE40500: a refused caller or path says nothing about a token
            assert_ne!(code, "ISE40500", "{kind}");
            // AND our faults are ISE40504 at 503 (never 500, 502 or 504), throttling at its 429
            let ours = kind.contains("5XX")
                || kind.starts_with("INTEGRATION")
                || kind == "API_CONFIGURATION_ERROR";
            if ours {
                assert_eq!(code, "ISE40504", "{kind}");
                assert_eq!(r.status_code, Some(503), "{kind}");
            }
            if kind == "THROTTLED" || kind == "QUOTA_EXCEEDED" {
                assert_eq!(code, "ISE40504", "{kind}");
                assert_eq!(r.status_code, None, "{kind}");
            }
        }
        for (kind, code, status) in [
            ("DEFAULT_4XX", "ISE40011", None),
            ("ACCESS_DENIED", "ISE40011", None),
            ("MISSING_AUTHENTICATION_TOKEN", "ISE40011", Some(404)),
            ("BAD_REQUEST_BODY", "ISE40000", None),
            ("REQUEST_TOO_LARGE", "ISE40005", None),
            ("DEFAULT_5XX", "ISE40504", Some(503)),
        ] {
            let r = &responses[kind];
            let body: serde_json::Value =
                serde_json::from_str(&r.templates["application/json"]).unwrap();
            assert_eq!(body["errorCode"], code, "{kind}");
            assert_eq!(r.status_code, status, "{kind}");
        }
    }

    #[test]
    fn the_five_vts_functions_are_routed_on_the_vts_api_and_none_publishes() {
        let t = workspace_template();
        let raw = raw_template();
        for (id, binary, path) in [
            (
                "VtsCheckEligibilityFunction",
                "vts-check-eligibility",
                "/vts/v1/checkEligibility",
            ),
            (
                "VtsApproveProvisioningFunction",
                "vts-approve-provisioning",
                "/vts/v1/tokenRequestors/{tokenRequestorID}/tokens/{tokenReferenceID}/approveProvisioning",
            ),
            (
                "VtsGetCardholderVerificationMethodsFunction",
                "vts-get-cardholder-verification-methods",
                "/vts/v1/getCardholderVerificationMethods",
            ),
            (
                "VtsSendPasscodeFunction",
                "vts-send-passcode",
                "/vts/v1/sendPasscode",
            ),
            (
                "VtsTokenChangedFunction",
                "vts-token-changed",
                "/vts/v1/tokenRequestors/{tokenRequestorID}/tokens/{tokenReferenceID}/tokenChanged",
            ),
        ] {
            let f = t.function(id).unwrap_or_else(|| panic!("no {id}"));
            assert_eq!(f.binary, binary);
            // THEN its one route is a POST on VtsApi
            let routes: Vec<_> = f
                .events
                .iter()
                .filter_map(|(_, e)| match e {
                    FunctionEvent::Api {
                        path, method, api, ..
                    } => Some((path.as_str(), method.as_str(), api.as_deref())),
                    _ => None,
                })
                .collect();
            assert_eq!(routes, [(path, "post", Some("VtsApi"))], "{id}");
            // AND it neither publishes nor knows the topic (events leave through the stream)
            assert!(
                !f.environment.contains_key("TOKEN_EVENTS_TOPIC_ARN"),
                "{id}"
            );
            let policies =
                serde_json::to_string(&raw["Resources"][id]["Properties"]["Policies"].clone())
                    .unwrap();
            assert!(!policies.contains("sns:"), "{id}: {policies}");
            // AND a function that loads the key ring may scan that table and open VTS keys
            if f.environment.contains_key("VTS_KEY_MATERIAL_TABLE") {
                assert!(policies.contains("VtsKeyMaterialTable"), "{id}");
                assert!(policies.contains("vts-private-key"), "{id}");
            } else {
                assert!(!policies.contains("vts-private-key"), "{id}");
            }
            assert!(!policies.contains("MdesKeyMaterialTable"), "{id}");
            assert!(!policies.contains("mdes-private-key"), "{id}");
        }
        // AND the key table has the MDES table's schema and protection
        let (vts, mdes) = (
            &t.resources["VtsKeyMaterialTable"],
            &t.resources["MdesKeyMaterialTable"],
        );
        assert_eq!(vts.kind, mdes.kind);
        assert_eq!(vts.properties, mdes.properties);
    }

    #[test]
    fn the_vts_card_metadata_default_is_valid_and_covers_the_card_books_products() {
        use tmp_vts::check_eligibility::CardMetadataInfo;
        // GIVEN the template's default VtsCardMetadata
        let t = workspace_template();
        let default = t.parameters["VtsCardMetadata"].default.clone().unwrap();
        // THEN it is a map of product category to Visa cardMetadataInfo, each valid
        let metadata: BTreeMap<String, CardMetadataInfo> = serde_json::from_str(&default).unwrap();
        for (product, info) in &metadata {
            info.validate().unwrap_or_else(|e| panic!("{product}: {e}"));
        }
        // AND every product of the local card book has its metadata
        let book = crate::issuer_simulator::CardBook::load(
            crate::issuer_simulator::CardBook::default_path(),
        )
        .unwrap();
        for card in book.cards() {
            assert!(
                metadata.contains_key(&card.product_category),
                "{} has no VtsCardMetadata",
                card.product_category
            );
        }
    }

    #[test]
    fn an_apis_allow_list_parameter_is_the_one_its_policy_matches_the_source_ip_with() {
        let t = Template::parse(
            r#"
Parameters:
  Networks: { Type: CommaDelimitedList, Default: 192.0.2.0/24 }
Resources:
  Open: { Type: AWS::Serverless::Api, Properties: { StageName: v1 } }
  Literal:
    Type: AWS::Serverless::Api
    Properties:
      Auth:
        ResourcePolicy:
          CustomStatements:
            - { Effect: Deny, Condition: { NotIpAddress: { aws:SourceIp: [10.0.0.0/8] } } }
  Closed:
    Type: AWS::Serverless::Api
    Properties:
      Auth:
        ResourcePolicy:
          CustomStatements:
            - { Effect: Allow, Principal: "*" }
            - { Effect: Allow, Condition: { IpAddress: { aws:SourceIp: !Ref Networks } } }
"#,
        )
        .unwrap();
        assert_eq!(t.api("Open").unwrap().source_ip_parameter, None);
        assert_eq!(t.api("Literal").unwrap().source_ip_parameter, None);
        assert_eq!(
            t.api("Closed").unwrap().source_ip_parameter.as_deref(),
            Some("Networks")
        );
    }

    #[test]
    fn the_workspace_template_parses() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../template.yaml");
        let t = Template::from_path(&path).unwrap();
        assert!(t.tables.iter().any(|t| t.logical_id == "TokenStateTable"));
        assert!(t.keys.iter().any(|k| k.logical_id == "SecretsKey"));
        let f = t.function("MdesAuthorizeServiceFunction").unwrap();
        assert_eq!(f.binary, "mdes-authorize-service");
        assert!(f.environment.contains_key("RUST_LOG"));
    }

    /// The raw template, for what [`Template`] does not model (deletion policies).
    fn raw_template() -> Value {
        let text = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../template.yaml"),
        )
        .unwrap();
        crate::intrinsics::normalize(serde_norway::from_str(&text).unwrap())
    }

    #[test]
    fn state_and_keys_outlive_the_stack_and_every_function_logs_encrypted_and_retained() {
        let raw = raw_template();
        let resources = raw["Resources"].as_mapping().unwrap();
        for (id, r) in resources {
            let kind = r["Type"].as_str().unwrap_or_default();
            let id = id.as_str().unwrap();
            // GIVEN every table and key THEN a stack deletion keeps it
            if matches!(kind, "AWS::DynamoDB::Table" | "AWS::KMS::Key") {
                assert_eq!(r["DeletionPolicy"].as_str(), Some("Retain"), "{id}");
                assert_eq!(r["UpdateReplacePolicy"].as_str(), Some("Retain"), "{id}");
            }
            if kind == "AWS::DynamoDB::Table" {
                assert_eq!(
                    r["Properties"]["DeletionProtectionEnabled"].as_bool(),
                    Some(true),
                    "{id}"
                );
            }
            // GIVEN every function THEN its own log group, retained and KMS-encrypted
            if kind == "AWS::Serverless::Function" {
                let group = r["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{id} has no LoggingConfig.LogGroup"));
                let g = &raw["Resources"][group]["Properties"];
                assert!(g["RetentionInDays"].get("Ref").is_some(), "{id}");
                assert_eq!(
                    g["KmsKeyId"]["Fn::GetAtt"][0].as_str(),
                    Some("SecretsKey"),
                    "{id}"
                );
            }
        }
    }

    #[test]
    fn sns_can_fill_the_encrypted_queues_and_undeliverable_events_are_kept() {
        let raw = raw_template();
        // GIVEN the key the notification queues are encrypted under
        let statements = raw["Resources"]["SecretsKey"]["Properties"]["KeyPolicy"]["Statement"]
            .as_sequence()
            .unwrap();
        // THEN SNS may use it, for the stack's token-events topic only
        let sns = statements
            .iter()
            .find(|s| s["Principal"]["Service"].as_str() == Some("sns.amazonaws.com"))
            .expect("a grant to sns.amazonaws.com");
        assert!(
            sns["Condition"]["ArnLike"]["aws:SourceArn"]
                .get("Fn::Sub")
                .is_some()
        );
        // AND every topic subscription has a dead-letter queue SNS may write to
        let resources = raw["Resources"].as_mapping().unwrap();
        let subscriptions: Vec<_> = resources
            .iter()
            .filter(|(_, r)| r["Type"].as_str() == Some("AWS::SNS::Subscription"))
            .collect();
        assert!(!subscriptions.is_empty());
        for (id, r) in subscriptions {
            let dlq = r["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
                .as_str()
                .unwrap_or_else(|| panic!("{id:?} has no dead-letter queue"));
            let policy_queues = raw["Resources"]["TokenEventsQueuePolicy"]["Properties"]["Queues"]
                .as_sequence()
                .unwrap();
            assert!(
                policy_queues.iter().any(|q| q["Ref"].as_str() == Some(dlq)),
                "{dlq}"
            );
        }
    }

    #[test]
    fn functions_may_use_the_secrets_key_only_for_their_purposes() {
        let raw = raw_template();
        let resources = raw["Resources"].as_mapping().unwrap();
        for (id, r) in resources {
            if r["Type"].as_str() != Some("AWS::Serverless::Function") {
                continue;
            }
            for policy in r["Properties"]["Policies"].as_sequence().unwrap() {
                for st in policy["Statement"].as_sequence().unwrap() {
                    let on_secrets_key =
                        st["Resource"]["Fn::GetAtt"][0].as_str() == Some("SecretsKey");
                    let actions: Vec<&str> = match &st["Action"] {
                        Value::Sequence(a) => a.iter().filter_map(Value::as_str).collect(),
                        v => v.as_str().into_iter().collect(),
                    };
                    let crypto = actions.iter().any(|a| {
                        matches!(*a, "kms:Decrypt" | "kms:Encrypt" | "kms:GenerateDataKey")
                    });
                    if on_secrets_key && crypto && st["Effect"].as_str() == Some("Allow") {
                        // THEN only under a purpose, or only through SQS/SNS
                        let condition = &st["Condition"]["StringEquals"];
                        assert!(
                            condition.get("kms:EncryptionContext:purpose").is_some()
                                || condition.get("kms:ViaService").is_some(),
                            "{id:?}: {actions:?} on SecretsKey without a purpose"
                        );
                    }
                }
            }
        }
    }
}
