//! Online/offline detection: can we open a TCP connection to the probe address?
//! Cheap, needs no credentials, and says nothing about the request content.

use std::time::Duration;

/// True when `target` (`host:port`) accepts a TCP connection within 3 seconds.
pub async fn probe(target: &str) -> bool {
    matches!(
        tokio::time::timeout(
            Duration::from_secs(3),
            tokio::net::TcpStream::connect(target)
        )
        .await,
        Ok(Ok(_))
    )
}
