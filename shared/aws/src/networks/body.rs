//! Reading a network's answer body, never more than a bound.

use bytes::Bytes;

/// Answers above this size are not a lifecycle answer (a search of a card
/// with many tokens stays far below).
pub const MAX_ANSWER_BYTES: usize = 256 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    #[error("answer is larger than {MAX_ANSWER_BYTES} bytes")]
    TooLarge,
    #[error("answer could not be read")]
    Read(#[source] reqwest::Error),
}

pub async fn read_capped(response: reqwest::Response) -> Result<Bytes, BodyError> {
    if response
        .content_length()
        .is_some_and(|n| n > MAX_ANSWER_BYTES as u64)
    {
        return Err(BodyError::TooLarge);
    }
    let body = response.bytes().await.map_err(BodyError::Read)?;
    if body.len() > MAX_ANSWER_BYTES {
        return Err(BodyError::TooLarge);
    }
    Ok(body)
}
