//! The shapes every function exposes, so that the Lambda runtime and the
//! local platform call the very same handler: HTTP (API Gateway proxy), SQS
//! (event source mapping with batch item failures), and any other JSON event
//! (EventBridge schedules, DynamoDB streams).

use std::sync::Arc;

use futures::future::BoxFuture;
use lambda_http::{Body, Request, Response};

pub type HandlerError = Box<dyn std::error::Error + Send + Sync>;

/// An initialised HTTP function: state built once per cold start, captured.
pub type HttpHandler =
    Arc<dyn Fn(Request) -> BoxFuture<'static, Result<Response<Body>, HandlerError>> + Send + Sync>;

/// Wraps an async handler over shared state into an [`HttpHandler`].
pub fn http_handler<S, F, Fut>(state: Arc<S>, f: F) -> HttpHandler
where
    S: ?Sized + Send + Sync + 'static,
    F: Fn(Arc<S>, Request) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<Response<Body>, HandlerError>> + Send + 'static,
{
    let f = Arc::new(f);
    Arc::new(move |req| {
        let state = Arc::clone(&state);
        let f = Arc::clone(&f);
        Box::pin(async move { f(state, req).await })
    })
}

/// Runs an [`HttpHandler`] under the Lambda runtime (each HTTP function's binary).
pub async fn serve_http(handler: HttpHandler) -> Result<(), lambda_http::Error> {
    lambda_http::run(lambda_http::service_fn(move |req: Request| {
        let handler = Arc::clone(&handler);
        async move { handler(req).await }
    }))
    .await
}

/// An initialised SQS consumer (event source mapping with
/// `ReportBatchItemFailures`): returns the ids of the messages to retry.
pub type SqsHandler = Arc<
    dyn Fn(
            aws_lambda_events::event::sqs::SqsEvent,
        ) -> BoxFuture<
            'static,
            Result<aws_lambda_events::event::sqs::SqsBatchResponse, HandlerError>,
        > + Send
        + Sync,
>;

/// Wraps an async SQS handler over shared state into an [`SqsHandler`].
pub fn sqs_handler<S, F, Fut>(state: Arc<S>, f: F) -> SqsHandler
where
    S: Send + Sync + 'static,
    F: Fn(Arc<S>, aws_lambda_events::event::sqs::SqsEvent) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<
            Output = Result<aws_lambda_events::event::sqs::SqsBatchResponse, HandlerError>,
        > + Send
        + 'static,
{
    let f = Arc::new(f);
    Arc::new(move |event| {
        let state = Arc::clone(&state);
        let f = Arc::clone(&f);
        Box::pin(async move { f(state, event).await })
    })
}

/// Runs an [`SqsHandler`] under the Lambda runtime (each consumer's binary).
pub async fn serve_sqs(handler: SqsHandler) -> Result<(), lambda_runtime::Error> {
    lambda_runtime::run(lambda_runtime::service_fn(
        move |event: lambda_runtime::LambdaEvent<aws_lambda_events::event::sqs::SqsEvent>| {
            let handler = Arc::clone(&handler);
            async move { handler(event.payload).await }
        },
    ))
    .await
}

/// An initialised handler of any other JSON event (a scheduled job's
/// EventBridge event, a stream batch): the event in, a JSON answer out.
pub type EventHandler = Arc<
    dyn Fn(serde_json::Value) -> BoxFuture<'static, Result<serde_json::Value, HandlerError>>
        + Send
        + Sync,
>;

/// Runs an [`EventHandler`] under the Lambda runtime (schedules, streams).
pub async fn serve_event(handler: EventHandler) -> Result<(), lambda_runtime::Error> {
    lambda_runtime::run(lambda_runtime::service_fn(
        move |event: lambda_runtime::LambdaEvent<serde_json::Value>| {
            let handler = Arc::clone(&handler);
            async move { handler(event.payload).await }
        },
    ))
    .await
}
