//! REST calls that survive a 429. Talking to Discord directly, serenity's
//! rate limiter already waits out `retry_after` from the response headers.
//! Through a REST proxy serenity turns its own limiter off (its limiter would
//! bypass the proxy), leaving limits to the proxy; if a 429 still comes back,
//! this waits and tries again. serenity does not hand the body's
//! `retry_after` to callers, so the wait here is a growing back-off.

use std::future::Future;
use std::time::Duration;

use serenity::http::HttpError;

const ATTEMPTS: u32 = 5;

pub fn is_rate_limited(e: &serenity::Error) -> bool {
    matches!(e, serenity::Error::Http(HttpError::UnsuccessfulRequest(r)) if r.status_code.as_u16() == 429)
}

/// Runs `call`, retrying while Discord answers 429.
pub async fn retrying<T, F, Fut>(what: &str, mut call: F) -> Result<T, serenity::Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, serenity::Error>>,
{
    let mut wait = Duration::from_millis(500);
    for _ in 1..ATTEMPTS {
        match call().await {
            Err(e) if is_rate_limited(&e) => {
                tracing::warn!(
                    what,
                    wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                    "Discord rate limit; waiting before retrying"
                );
                tokio::time::sleep(wait).await;
                wait = wait.saturating_mul(2);
            }
            other => return other,
        }
    }
    call().await
}
