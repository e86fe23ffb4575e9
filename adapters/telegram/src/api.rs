//! Bot API calls with Telegram's flood control honoured: a `retry_after`
//! answer waits exactly that long and tries again.

use std::future::IntoFuture;
use std::time::Duration;

use teloxide::RequestError;

const ATTEMPTS: u32 = 4;

pub async fn retrying<T, F, Fut>(what: &str, mut call: F) -> Result<T, RequestError>
where
    F: FnMut() -> Fut,
    Fut: IntoFuture<Output = Result<T, RequestError>>,
{
    for _ in 1..ATTEMPTS {
        match call().await {
            Err(RequestError::RetryAfter(secs)) => {
                let wait: Duration = secs.duration();
                tracing::warn!(
                    what,
                    wait_secs = wait.as_secs(),
                    "Telegram flood control; waiting retry_after"
                );
                tokio::time::sleep(wait).await;
            }
            other => return other,
        }
    }
    call().await
}
