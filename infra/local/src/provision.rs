//! Creates, in the emulator, every table, queue, topic, subscription and KMS
//! key the template declares, named `{prefix}{LogicalId}`, and records what
//! was created in a [`Deployment`].

mod cognito;

use std::collections::{HashMap, HashSet};

use aws_config::SdkConfig;
use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::types as ddb;
use aws_sdk_sqs::types::QueueAttributeName;

use crate::deployment::{DeployedResource, Deployment};
use crate::resolve::ResolveError;
use crate::template::{KeySpec, QueueSpec, SubscriptionSpec, TableSpec, Template, TopicSpec};

#[derive(Debug, thiserror::Error)]
pub enum ProvisionError {
    #[error("creating {id} failed: {message}")]
    Aws { id: String, message: String },
    #[error("resolving a property of {id}")]
    Resolve {
        id: String,
        #[source]
        source: ResolveError,
    },
    #[error("queue {0} has a redrive cycle or an unknown dead-letter queue")]
    RedriveOrder(String),
}

fn aws<E: std::error::Error>(id: &str) -> impl FnOnce(E) -> ProvisionError + '_ {
    move |e| ProvisionError::Aws {
        id: id.to_owned(),
        message: DisplayErrorContext(&e).to_string(),
    }
}

fn resolving(id: &str) -> impl FnOnce(ResolveError) -> ProvisionError + '_ {
    move |source| ProvisionError::Resolve {
        id: id.to_owned(),
        source,
    }
}

/// Provisions everything; `parameters` override template defaults.
pub async fn provision(
    sdk: &SdkConfig,
    template: &Template,
    prefix: &str,
    parameters: &HashMap<String, String>,
) -> Result<Deployment, ProvisionError> {
    let mut d = Deployment::new(template, prefix, parameters);
    register_unprovisioned(template, &mut d);
    let kms = aws_sdk_kms::Client::new(sdk);
    for key in &template.keys {
        create_key(&kms, &mut d, key).await?;
    }
    let dynamodb = aws_sdk_dynamodb::Client::new(sdk);
    for table in &template.tables {
        create_table(&dynamodb, &mut d, table).await?;
    }
    let sqs = aws_sdk_sqs::Client::new(sdk);
    for queue in queues_in_dependency_order(&template.queues)? {
        create_queue(&sqs, &mut d, queue).await?;
    }
    let sns = aws_sdk_sns::Client::new(sdk);
    for topic in &template.topics {
        create_topic(&sns, &mut d, topic).await?;
    }
    for subscription in &template.subscriptions {
        subscribe(&sns, &mut d, subscription).await?;
    }
    let cognito = aws_sdk_cognitoidentityprovider::Client::new(sdk);
    cognito::create_grouped_pools(&cognito, template, &mut d).await?;
    tracing::info!(prefix, resources = d.resources().len(), "provisioned");
    Ok(d)
}

/// Functions, APIs and Cognito resources are not created in the emulator,
/// but templates refer to them (`!Ref TspApi`, `!GetAtt Fn.Arn`,
/// `${IssuerUserPool}`), so they get stand-in values ([`cognito`]).
pub(crate) fn register_unprovisioned(template: &Template, d: &mut Deployment) {
    for (id, r) in &template.resources {
        let name = d.physical_name(id);
        let resource = match r.kind.as_str() {
            "AWS::Serverless::Function" => DeployedResource::new(&r.kind, name.clone()).with(
                "Arn",
                format!(
                    "arn:aws:lambda:{}:{}:function:{name}",
                    d.region, d.account_id
                ),
            ),
            "AWS::Serverless::Api" => {
                DeployedResource::new(&r.kind, "local").with("RootResourceId", "root")
            }
            _ => match cognito::stand_in(d, id, r) {
                Some(resource) => resource,
                None => continue,
            },
        };
        d.insert(id, resource);
    }
}

async fn create_key(
    kms: &aws_sdk_kms::Client,
    d: &mut Deployment,
    key: &KeySpec,
) -> Result<(), ProvisionError> {
    let id = key.logical_id.as_str();
    let alias = format!("alias/{}", d.physical_name(id));
    // Re-running against a long-lived emulator reuses the key behind the alias.
    if let Ok(existing) = kms.describe_key().key_id(&alias).send().await
        && let Some(meta) = existing.key_metadata()
    {
        let key_id = meta.key_id().to_owned();
        d.insert(
            id,
            DeployedResource::new("AWS::KMS::Key", key_id.clone())
                .with("Arn", meta.arn().unwrap_or_default())
                .with("KeyId", key_id),
        );
        return Ok(());
    }
    let created = kms
        .create_key()
        .key_spec(key.key_spec.as_str().into())
        .key_usage(key.key_usage.as_str().into())
        .description(format!(
            "{}: {}",
            d.physical_name(id),
            key.description.as_deref().unwrap_or("")
        ))
        .send()
        .await
        .map_err(aws(id))?;
    let meta = created.key_metadata().ok_or_else(|| ProvisionError::Aws {
        id: id.to_owned(),
        message: "CreateKey returned no metadata".to_owned(),
    })?;
    let key_id = meta.key_id().to_owned();
    let arn = meta.arn().unwrap_or_default().to_owned();
    // An alias makes the key findable by name, as tables and queues are.
    kms.create_alias()
        .alias_name(alias)
        .target_key_id(&key_id)
        .send()
        .await
        .map_err(aws(id))?;
    d.insert(
        id,
        DeployedResource::new("AWS::KMS::Key", key_id.clone())
            .with("Arn", arn)
            .with("KeyId", key_id),
    );
    Ok(())
}

fn key_schema(
    keys: &[crate::template::KeyAttribute],
    id: &str,
) -> Result<Vec<ddb::KeySchemaElement>, ProvisionError> {
    keys.iter()
        .map(|k| {
            ddb::KeySchemaElement::builder()
                .attribute_name(&k.name)
                .key_type(k.key_type.as_str().into())
                .build()
                .map_err(aws(id))
        })
        .collect()
}

async fn create_table(
    dynamodb: &aws_sdk_dynamodb::Client,
    d: &mut Deployment,
    table: &TableSpec,
) -> Result<(), ProvisionError> {
    let id = table.logical_id.as_str();
    let name = d.physical_name(id);
    // Re-running against a long-lived emulator reuses the table (and its data).
    if let Ok(existing) = dynamodb.describe_table().table_name(&name).send().await {
        let arn = existing
            .table()
            .and_then(|t| t.table_arn())
            .unwrap_or_default()
            .to_owned();
        let mut stream_arn = existing
            .table()
            .filter(|t| t.stream_specification().is_some_and(|s| s.stream_enabled()))
            .and_then(|t| t.latest_stream_arn())
            .map(str::to_owned);
        // A table made before the template gave it a stream gets one now.
        if stream_arn.is_none()
            && let Some(view) = &table.stream_view_type
        {
            let updated = dynamodb
                .update_table()
                .table_name(&name)
                .stream_specification(stream_specification(view, id)?)
                .send()
                .await
                .map_err(aws(id))?;
            stream_arn = updated
                .table_description()
                .and_then(|t| t.latest_stream_arn())
                .map(str::to_owned);
        }
        d.insert(id, table_resource(name, arn, stream_arn));
        return Ok(());
    }
    let mut req = dynamodb
        .create_table()
        .table_name(&name)
        .billing_mode(ddb::BillingMode::PayPerRequest)
        .set_key_schema(Some(key_schema(&table.key_schema, id)?));
    for (attr, kind) in &table.attributes {
        req = req.attribute_definitions(
            ddb::AttributeDefinition::builder()
                .attribute_name(attr)
                .attribute_type(kind.as_str().into())
                .build()
                .map_err(aws(id))?,
        );
    }
    for gsi in &table.global_indexes {
        let projection = ddb::Projection::builder()
            .projection_type(gsi.projection_type.as_str().into())
            .set_non_key_attributes(
                (!gsi.non_key_attributes.is_empty()).then(|| gsi.non_key_attributes.clone()),
            )
            .build();
        req = req.global_secondary_indexes(
            ddb::GlobalSecondaryIndex::builder()
                .index_name(&gsi.name)
                .set_key_schema(Some(key_schema(&gsi.key_schema, id)?))
                .projection(projection)
                .build()
                .map_err(aws(id))?,
        );
    }
    if let Some(view) = &table.stream_view_type {
        req = req.stream_specification(stream_specification(view, id)?);
    }
    let created = req.send().await.map_err(aws(id))?;
    let arn = created
        .table_description()
        .and_then(|t| t.table_arn())
        .unwrap_or_default()
        .to_owned();
    let stream_arn = created
        .table_description()
        .and_then(|t| t.latest_stream_arn())
        .map(str::to_owned);
    if let Some(attribute) = &table.ttl_attribute {
        dynamodb
            .update_time_to_live()
            .table_name(&name)
            .time_to_live_specification(
                ddb::TimeToLiveSpecification::builder()
                    .attribute_name(attribute)
                    .enabled(true)
                    .build()
                    .map_err(aws(id))?,
            )
            .send()
            .await
            .map_err(aws(id))?;
    }
    d.insert(id, table_resource(name, arn, stream_arn));
    Ok(())
}

fn stream_specification(view: &str, id: &str) -> Result<ddb::StreamSpecification, ProvisionError> {
    ddb::StreamSpecification::builder()
        .stream_enabled(true)
        .stream_view_type(view.into())
        .build()
        .map_err(aws(id))
}

/// `!Ref` is the name; `!GetAtt .Arn`, and `.StreamArn` (the `LatestStreamArn`)
/// when the table has a stream.
fn table_resource(name: String, arn: String, stream_arn: Option<String>) -> DeployedResource {
    let table = DeployedResource::new("AWS::DynamoDB::Table", name).with("Arn", arn);
    match stream_arn {
        Some(stream_arn) => table.with("StreamArn", stream_arn),
        None => table,
    }
}

/// Dead-letter queues must exist before the queues that redrive into them.
fn queues_in_dependency_order(queues: &[QueueSpec]) -> Result<Vec<&QueueSpec>, ProvisionError> {
    let ids: HashSet<&str> = queues.iter().map(|q| q.logical_id.as_str()).collect();
    let mut done: HashSet<&str> = HashSet::new();
    let mut ordered = Vec::new();
    while ordered.len() < queues.len() {
        let before = ordered.len();
        for q in queues {
            if done.contains(q.logical_id.as_str()) {
                continue;
            }
            let deps = q
                .redrive
                .as_ref()
                .map(|r| r.dead_letter_target.references())
                .unwrap_or_default();
            // A reference to a non-queue (e.g. a hard-coded ARN) is no dependency.
            if deps
                .iter()
                .all(|dep| !ids.contains(dep.as_str()) || done.contains(dep.as_str()))
            {
                done.insert(&q.logical_id);
                ordered.push(q);
            }
        }
        if ordered.len() == before {
            let stuck = queues
                .iter()
                .find(|q| !done.contains(q.logical_id.as_str()))
                .map(|q| q.logical_id.clone())
                .unwrap_or_default();
            return Err(ProvisionError::RedriveOrder(stuck));
        }
    }
    Ok(ordered)
}

async fn create_queue(
    sqs: &aws_sdk_sqs::Client,
    d: &mut Deployment,
    queue: &QueueSpec,
) -> Result<(), ProvisionError> {
    let id = queue.logical_id.as_str();
    let mut name = d.physical_name(id);
    let mut req = sqs.create_queue();
    if queue.fifo {
        name.push_str(".fifo");
        req = req.attributes(QueueAttributeName::FifoQueue, "true");
    }
    if let Some(seconds) = &queue.visibility_timeout {
        let seconds = d.resolve(seconds).map_err(resolving(id))?;
        req = req.attributes(QueueAttributeName::VisibilityTimeout, seconds);
    }
    if let Some(redrive) = &queue.redrive {
        let target = d
            .resolve(&redrive.dead_letter_target)
            .map_err(resolving(id))?;
        let count: u32 = d
            .resolve(&redrive.max_receive_count)
            .map_err(resolving(id))?
            .parse()
            .map_err(|_| ProvisionError::Aws {
                id: id.to_owned(),
                message: "maxReceiveCount is not a number".to_owned(),
            })?;
        let policy = serde_json::json!({
            "deadLetterTargetArn": target,
            "maxReceiveCount": count,
        });
        req = req.attributes(QueueAttributeName::RedrivePolicy, policy.to_string());
    }
    let created = req.queue_name(&name).send().await.map_err(aws(id))?;
    let url = created.queue_url().unwrap_or_default().to_owned();
    let attrs = sqs
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .map_err(aws(id))?;
    let arn = attrs
        .attributes()
        .and_then(|a| a.get(&QueueAttributeName::QueueArn))
        .cloned()
        .unwrap_or_default();
    d.insert(
        id,
        DeployedResource::new("AWS::SQS::Queue", url.clone())
            .with("Arn", arn)
            .with("QueueName", name)
            .with("QueueUrl", url),
    );
    Ok(())
}

async fn create_topic(
    sns: &aws_sdk_sns::Client,
    d: &mut Deployment,
    topic: &TopicSpec,
) -> Result<(), ProvisionError> {
    let id = topic.logical_id.as_str();
    let mut name = d.physical_name(id);
    let mut req = sns.create_topic();
    if topic.fifo {
        name.push_str(".fifo");
        req = req.attributes("FifoTopic", "true");
    }
    let created = req.name(&name).send().await.map_err(aws(id))?;
    let arn = created.topic_arn().unwrap_or_default().to_owned();
    d.insert(
        id,
        DeployedResource::new("AWS::SNS::Topic", arn.clone())
            .with("TopicArn", arn)
            .with("TopicName", name),
    );
    Ok(())
}

async fn subscribe(
    sns: &aws_sdk_sns::Client,
    d: &mut Deployment,
    s: &SubscriptionSpec,
) -> Result<(), ProvisionError> {
    let id = s.logical_id.as_str();
    let topic_arn = d.resolve(&s.topic).map_err(resolving(id))?;
    let endpoint = d.resolve(&s.endpoint).map_err(resolving(id))?;
    let mut req = sns
        .subscribe()
        .topic_arn(&topic_arn)
        .protocol(&s.protocol)
        .endpoint(endpoint)
        .return_subscription_arn(true);
    if s.raw_message_delivery {
        req = req.attributes("RawMessageDelivery", "true");
    }
    if let Some(filter) = &s.filter_policy {
        let policy = crate::resolve::resolve_json(d, &filter.0)
            .map_err(resolving(id))?
            .unwrap_or_default();
        req = req.attributes("FilterPolicy", policy.to_string());
    }
    let created = req.send().await.map_err(aws(id))?;
    let arn = created.subscription_arn().unwrap_or_default().to_owned();
    d.insert(id, DeployedResource::new("AWS::SNS::Subscription", arn));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dead_letter_queues_come_first_whatever_the_template_order() {
        // GIVEN A redrives into B which redrives into C, listed A, B, C
        let t = Template::parse(
            r#"
Resources:
  A: { Type: AWS::SQS::Queue, Properties: { RedrivePolicy: { deadLetterTargetArn: !GetAtt B.Arn, maxReceiveCount: 1 } } }
  B: { Type: AWS::SQS::Queue, Properties: { RedrivePolicy: { deadLetterTargetArn: !GetAtt C.Arn, maxReceiveCount: 1 } } }
  C: { Type: AWS::SQS::Queue }
"#,
        )
        .unwrap();
        // THEN creation order is C, B, A
        let order: Vec<_> = queues_in_dependency_order(&t.queues)
            .unwrap()
            .iter()
            .map(|q| q.logical_id.as_str())
            .collect();
        assert_eq!(order, ["C", "B", "A"]);
    }

    #[test]
    fn a_redrive_cycle_is_an_error() {
        let t = Template::parse(
            r#"
Resources:
  A: { Type: AWS::SQS::Queue, Properties: { RedrivePolicy: { deadLetterTargetArn: !GetAtt B.Arn, maxReceiveCount: 1 } } }
  B: { Type: AWS::SQS::Queue, Properties: { RedrivePolicy: { deadLetterTargetArn: !GetAtt A.Arn, maxReceiveCount: 1 } } }
"#,
        )
        .unwrap();
        assert!(matches!(
            queues_in_dependency_order(&t.queues),
            Err(ProvisionError::RedriveOrder(_))
        ));
    }
}
