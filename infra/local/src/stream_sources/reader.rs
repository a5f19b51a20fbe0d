//! Reads one shard of a DynamoDB stream from a position, through the
//! DynamoDB Streams API (DescribeStream, GetShardIterator, GetRecords).
//!
//! Every read takes a fresh iterator from the position instead of following
//! `NextShardIterator`, and a non-empty read is confirmed, because of moto:
//! a cancelled TransactWriteItems restores a deep copy of the table, so an
//! iterator taken before it keeps reading the discarded copy, which holds the
//! cancelled writes (records of writes that never happened) and never sees a
//! later one. Phantom records are the last ones of such a copy, so a read
//! whose last record is still there, with the same `eventID`, under a fresh
//! iterator is real; one that is not is dropped and read again. On AWS the
//! confirmation is merely redundant.

use aws_sdk_dynamodbstreams::error::DisplayErrorContext;
use aws_sdk_dynamodbstreams::types::ShardIteratorType;

use super::record::{RecordError, StreamRecord};

/// `GetRecords` returns at most 1000 records.
pub const MAX_LIMIT: u32 = 1000;

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{operation} failed: {message}")]
    Aws {
        operation: &'static str,
        message: String,
    },
    #[error(transparent)]
    Record(#[from] RecordError),
}

fn aws<E: std::error::Error>(operation: &'static str) -> impl FnOnce(E) -> ReadError {
    move |e| ReadError::Aws {
        operation,
        message: DisplayErrorContext(&e).to_string(),
    }
}

/// Where the next read of a shard starts.
#[derive(Debug, Clone, PartialEq)]
pub enum Position {
    /// The oldest record of the shard.
    TrimHorizon,
    /// Just after this sequence number.
    After(String),
}

/// The shard ids of a stream, oldest first.
pub async fn shards(
    client: &aws_sdk_dynamodbstreams::Client,
    stream_arn: &str,
) -> Result<Vec<String>, ReadError> {
    let mut shards = Vec::new();
    let mut start = None;
    loop {
        let out = client
            .describe_stream()
            .stream_arn(stream_arn)
            .set_exclusive_start_shard_id(start)
            .send()
            .await
            .map_err(aws("DescribeStream"))?;
        let Some(description) = out.stream_description() else {
            return Ok(shards);
        };
        shards.extend(
            description
                .shards()
                .iter()
                .filter_map(|s| s.shard_id().map(str::to_owned)),
        );
        match description.last_evaluated_shard_id() {
            Some(last) => start = Some(last.to_owned()),
            None => return Ok(shards),
        }
    }
}

#[derive(Debug, Clone)]
pub struct ShardReader {
    client: aws_sdk_dynamodbstreams::Client,
    stream_arn: String,
    shard_id: String,
}

impl ShardReader {
    pub fn new(client: aws_sdk_dynamodbstreams::Client, stream_arn: &str, shard_id: &str) -> Self {
        Self {
            client,
            stream_arn: stream_arn.to_owned(),
            shard_id: shard_id.to_owned(),
        }
    }

    pub fn shard_id(&self) -> &str {
        &self.shard_id
    }

    /// Up to `limit` records from `from`, in shard order (none: nothing new).
    pub async fn read(&self, from: &Position, limit: u32) -> Result<Vec<StreamRecord>, ReadError> {
        let records = self.get(&from.into(), limit).await?;
        let Some(last) = records.last() else {
            return Ok(records);
        };
        let confirmed = self
            .get(&Start::At(last.sequence_number.clone()), 1)
            .await?;
        if confirmed.first().map(|r| &r.event_id) == Some(&last.event_id) {
            return Ok(records);
        }
        tracing::debug!(
            shard = self.shard_id,
            sequence_number = last.sequence_number,
            "stream read from before a cancelled transaction (moto); reading again"
        );
        Ok(Vec::new())
    }

    /// The position after the shard's last record (`LATEST`, pinned so that
    /// records written between two reads are not skipped).
    pub async fn end(&self) -> Result<Position, ReadError> {
        let mut at = Position::TrimHorizon;
        loop {
            let records = self.read(&at, MAX_LIMIT).await?;
            match records.last() {
                Some(last) => at = Position::After(last.sequence_number.clone()),
                None => return Ok(at),
            }
        }
    }

    async fn get(&self, from: &Start, limit: u32) -> Result<Vec<StreamRecord>, ReadError> {
        let (kind, sequence_number) = match from {
            Start::TrimHorizon => (ShardIteratorType::TrimHorizon, None),
            Start::After(s) => (ShardIteratorType::AfterSequenceNumber, Some(s.clone())),
            Start::At(s) => (ShardIteratorType::AtSequenceNumber, Some(s.clone())),
        };
        let iterator = self
            .client
            .get_shard_iterator()
            .stream_arn(&self.stream_arn)
            .shard_id(&self.shard_id)
            .shard_iterator_type(kind)
            .set_sequence_number(sequence_number)
            .send()
            .await
            .map_err(aws("GetShardIterator"))?;
        let Some(iterator) = iterator.shard_iterator() else {
            // A closed shard read to its end.
            return Ok(Vec::new());
        };
        let out = self
            .client
            .get_records()
            .shard_iterator(iterator)
            .limit(i32::try_from(limit.clamp(1, MAX_LIMIT)).unwrap_or(1))
            .send()
            .await
            .map_err(aws("GetRecords"))?;
        out.records()
            .iter()
            .map(|r| StreamRecord::from_sdk(r, &self.stream_arn).map_err(ReadError::from))
            .collect()
    }
}

/// An iterator's starting point: a [`Position`], or exactly at a record.
enum Start {
    TrimHorizon,
    After(String),
    At(String),
}

impl From<&Position> for Start {
    fn from(p: &Position) -> Self {
        match p {
            Position::TrimHorizon => Self::TrimHorizon,
            Position::After(s) => Self::After(s.clone()),
        }
    }
}
