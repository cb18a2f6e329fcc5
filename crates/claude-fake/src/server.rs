//! The accept loop. It is ours rather than `axum::serve` for two reasons: a scripted
//! [`Step::ConnectionReset`](crate::Step::ConnectionReset) must be able to close a
//! connection without writing any response, and `stop` must free the port and close idle
//! keep-alive connections (a client's pool must not keep talking to a stopped fake).

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::DefaultBodyLimit;
use axum::routing::post;
use axum::Router;
use hyper::body::Incoming;
use hyper::Request;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::{watch, Notify};
use tokio::task::{JoinHandle, JoinSet};
use tower::ServiceExt;

use crate::state::Shared;
use crate::{anthropic, openai};

/// Bodies up to this size are read; the Messages API's own limit (32 MB) is checked by
/// the handler so that it can answer with Anthropic's 413.
const READ_LIMIT: usize = 40 * 1024 * 1024;

/// How long `stop` lets in-flight requests finish.
const DRAIN: Duration = Duration::from_secs(1);

/// Lets a handler drop its connection without a response (inserted into every request).
#[derive(Clone)]
pub(crate) struct ConnKill(Arc<Notify>);

impl ConnKill {
    /// Close this request's connection now; the handler's future is dropped with it.
    pub(crate) fn kill(&self) {
        self.0.notify_one();
    }
}

pub(crate) fn bind(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    // A restarted fake must get the same port back at once (TIME_WAIT from the last run).
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(1024)
}

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/v1/messages", post(anthropic::messages))
        .route("/v1/messages/count_tokens", post(anthropic::count_tokens))
        .route("/v1/chat/completions", post(openai::chat_completions))
        .fallback(anthropic::not_found)
        .layer(DefaultBodyLimit::max(READ_LIMIT))
        .with_state(shared)
}

pub(crate) fn spawn(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) -> JoinHandle<()> {
    let app = router(shared);
    tokio::spawn(async move {
        let mut conns = JoinSet::new();
        loop {
            tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => {
                        conns.spawn(serve(stream, app.clone(), shutdown.clone()));
                    }
                    // Out of file descriptors and the like: back off a little, keep serving.
                    Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
                },
                _ = shutdown.changed() => break,
                Some(_) = conns.join_next(), if !conns.is_empty() => {}
            }
        }
        drop(listener);
        let _ =
            tokio::time::timeout(DRAIN, async { while conns.join_next().await.is_some() {} }).await;
        conns.abort_all();
        while conns.join_next().await.is_some() {}
    })
}

async fn serve(stream: TcpStream, app: Router, mut shutdown: watch::Receiver<bool>) {
    let _ = stream.set_nodelay(true);
    let kill = Arc::new(Notify::new());
    let handle = ConnKill(Arc::clone(&kill));
    let service = hyper::service::service_fn(move |mut req: Request<Incoming>| {
        req.extensions_mut().insert(handle.clone());
        app.clone().oneshot(req.map(Body::new))
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    let mut draining = *shutdown.borrow();
    if draining {
        conn.as_mut().graceful_shutdown();
    }
    loop {
        tokio::select! {
            _ = conn.as_mut() => break,
            // Dropping the connection closes the socket with no response written.
            _ = kill.notified() => break,
            _ = shutdown.changed(), if !draining => {
                draining = true;
                conn.as_mut().graceful_shutdown();
            }
        }
    }
}
