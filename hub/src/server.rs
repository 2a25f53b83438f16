//! The hub's accept loop: hyper's HTTP/1 server under limits that `axum::serve` does not have.
//!
//! Every byte that reaches the hub may be hostile. A client that opens a connection and sends
//! nothing, or sends its headers one byte a minute, must not hold a descriptor for ever: headers
//! must arrive within `header_read_timeout` (idle keep-alive connections included) and a whole
//! request, body and handler, within `request_timeout`. Connections are capped in all and per
//! client address, below the process's descriptor limit, so that a flood of sockets from one
//! address is answered 503 at once while other handhelds keep being served.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::{Request, Response};
use axum::response::IntoResponse;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tower_service::Service;

use crate::error::HubError;

/// How many connections the hub holds and for how long it waits on a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Open connections in all; more are answered 503 and closed.
    pub max_connections: usize,
    /// Open connections from one client address.
    pub max_connections_per_address: usize,
    /// Time a client has to send a request's headers (also how long an idle connection stays).
    pub header_read_timeout: Duration,
    /// Time for a whole request: reading its body and answering it.
    pub request_timeout: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            max_connections: 4096,
            max_connections_per_address: 256,
            header_read_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
        }
    }
}

/// Open connections per client address.
#[derive(Default)]
struct PerAddress {
    open: Mutex<HashMap<IpAddr, usize>>,
}

/// One connection's place in [`PerAddress`], given back when the connection ends.
struct AddressSlot {
    table: Arc<PerAddress>,
    ip: IpAddr,
}

impl PerAddress {
    fn take(table: &Arc<PerAddress>, ip: IpAddr, max: usize) -> Option<AddressSlot> {
        let mut open = table.open.lock().unwrap_or_else(|e| e.into_inner());
        let count = open.entry(ip).or_default();
        if *count >= max {
            return None;
        }
        *count += 1;
        Some(AddressSlot {
            table: table.clone(),
            ip,
        })
    }
}

impl Drop for AddressSlot {
    fn drop(&mut self) {
        let mut open = self.table.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = open.get_mut(&self.ip) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.ip);
            }
        }
    }
}

/// The most connections this process can hold with descriptors to spare for its database, log and
/// listener: `wanted`, or less when the descriptor limit is lower.
pub fn connection_cap(wanted: usize) -> usize {
    let limit = std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with("Max open files"))
                .and_then(|l| l.split_whitespace().nth(3))
                .and_then(|soft| soft.parse::<usize>().ok())
        });
    match limit {
        Some(limit) => wanted.min(limit.saturating_sub(128).max(16)),
        None => wanted,
    }
}

/// Answers a connection the hub will not serve with a 503 it can write without waiting, then
/// closes it.
fn refuse(stream: TcpStream, why: &str) {
    let body = serde_json::json!({ "code": "too_many_connections", "message": why }).to_string();
    let response = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/problem+json\r\n\
         retry-after: 5\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.try_write(response.as_bytes());
}

/// Serves `app` on `listener` under `limits` until `shutdown` resolves; then lets open requests
/// finish (at most `request_timeout`).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    tls: Option<Arc<rustls::ServerConfig>>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
    let cap = connection_cap(limits.max_connections);
    let all = Arc::new(Semaphore::new(cap));
    let per_address = Arc::new(PerAddress::default());
    let graceful = GracefulShutdown::new();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_headers(100);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of descriptors (EMFILE) or a connection reset before accept: wait a
                    // little instead of spinning, as the open connections time out.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // A TLS client would read a plain answer as garbage: it is only closed.
        let refuse = |stream: TcpStream, why: &str| {
            if acceptor.is_none() {
                refuse(stream, why);
            }
        };
        let Ok(permit) = all.clone().try_acquire_owned() else {
            tracing::warn!(peer = %peer, open = cap, "connection refused: the hub holds its most connections");
            refuse(
                stream,
                &format!("the hub holds its most connections ({cap}); retry in a few seconds"),
            );
            continue;
        };
        let Some(slot) =
            PerAddress::take(&per_address, peer.ip(), limits.max_connections_per_address)
        else {
            tracing::warn!(peer = %peer, "connection refused: too many connections from this address");
            refuse(
                stream,
                &format!(
                    "{} already has {} connections open to the hub; close some and retry",
                    peer.ip(),
                    limits.max_connections_per_address
                ),
            );
            continue;
        };
        let _ = stream.set_nodelay(true);
        let service = RequestService {
            app: app.clone(),
            peer,
            timeout: limits.request_timeout,
        };
        let service = hyper_util::service::TowerToHyperService::new(service);
        let (builder, watcher, acceptor) = (builder.clone(), graceful.watcher(), acceptor.clone());
        let handshake_timeout = limits.header_read_timeout;
        tokio::spawn(async move {
            match acceptor {
                None => {
                    let connection = builder.serve_connection(TokioIo::new(stream), service);
                    let _ = watcher.watch(connection).await;
                }
                // The handshake is bounded like the headers: a client that opens TLS and stalls
                // holds nothing for long.
                Some(acceptor) => {
                    match tokio::time::timeout(handshake_timeout, acceptor.accept(stream)).await {
                        Ok(Ok(tls)) => {
                            let connection = builder.serve_connection(TokioIo::new(tls), service);
                            let _ = watcher.watch(connection).await;
                        }
                        Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
                        Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                    }
                }
            }
            drop((permit, slot));
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(limits.request_timeout) => {
            tracing::warn!("shutting down with requests still open");
        }
    }
    Ok(())
}

/// The router for one connection: knows the client's address and bounds each request's time.
#[derive(Clone)]
struct RequestService {
    app: Router,
    peer: SocketAddr,
    timeout: Duration,
}

impl Service<Request<Incoming>> for RequestService {
    type Response = Response<axum::body::Body>;
    type Error = Infallible;
    type Future = std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<Self::Response, Infallible>> + Send>,
    >;

    fn poll_ready(
        &mut self,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Infallible>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, mut request: Request<Incoming>) -> Self::Future {
        request.extensions_mut().insert(ConnectInfo(self.peer));
        let mut app = self.app.clone();
        let timeout = self.timeout;
        let peer = self.peer;
        Box::pin(async move {
            let (method, path) = (request.method().clone(), request.uri().path().to_string());
            match tokio::time::timeout(timeout, app.call(request)).await {
                Ok(answer) => answer,
                Err(_) => {
                    tracing::warn!(%peer, %method, path = %crate::api::short_text(&path, 80), "request timed out");
                    Ok(HubError::RequestTimeout {
                        seconds: timeout.as_secs(),
                    }
                    .into_response())
                }
            }
        })
    }
}
