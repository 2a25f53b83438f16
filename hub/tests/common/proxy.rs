//! A fault-injecting TCP proxy between devices and the hub: a real socket on loopback that speaks
//! just enough HTTP/1.1 (Content-Length bodies) to fail at chosen moments — connection refused
//! (listener down), reset before the request is read, reset mid-request, the response lost after
//! the hub committed, a 500 that never reached the hub, a response slower than the client's
//! timeout, a body cut short.
#![allow(clippy::unwrap_used, dead_code)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// What happens to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fault {
    /// Forwarded both ways.
    Pass,
    /// The connection is closed before the request is read.
    ResetBeforeRequest,
    /// The connection is closed after the request head, before its body reached the hub.
    ResetMidRequest,
    /// The hub got the request and answered; the answer is dropped.
    LoseResponse,
    /// A 500 from the proxy; the hub never saw the request.
    ServerError,
    /// The answer comes after this long (past the client's timeout).
    Slow(Duration),
    /// Half of the answer's body, then the connection closes.
    Truncate,
}

/// Probabilities of each fault, per request (the rest pass).
#[derive(Debug, Clone)]
pub struct Plan {
    pub faults: Vec<(Fault, f64)>,
    rng: u64,
    /// After this many requests every connection is reset (the network died).
    pub fail_after: Option<u64>,
    seen: u64,
}

impl Plan {
    pub fn clean() -> Self {
        Self {
            faults: Vec::new(),
            rng: 1,
            fail_after: None,
            seen: 0,
        }
    }

    /// Passes `n` requests, then resets every connection.
    pub fn dies_after(n: u64) -> Self {
        Self {
            fail_after: Some(n),
            ..Self::clean()
        }
    }

    pub fn hostile(seed: u64, slow: Duration) -> Self {
        Self {
            faults: vec![
                (Fault::ResetBeforeRequest, 0.04),
                (Fault::ResetMidRequest, 0.05),
                (Fault::LoseResponse, 0.08),
                (Fault::ServerError, 0.05),
                (Fault::Slow(slow), 0.03),
                (Fault::Truncate, 0.05),
            ],
            rng: seed | 1,
            fail_after: None,
            seen: 0,
        }
    }

    fn next(&mut self) -> Fault {
        self.seen += 1;
        if self.fail_after.is_some_and(|n| self.seen > n) {
            return Fault::ResetBeforeRequest;
        }
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        let mut x = (self.rng % 1_000_000) as f64 / 1_000_000.0;
        for (fault, p) in &self.faults {
            if x < *p {
                return *fault;
            }
            x -= p;
        }
        Fault::Pass
    }
}

/// How many requests met each fault.
#[derive(Debug, Default)]
pub struct Stats {
    pub passed: AtomicU64,
    pub reset_before: AtomicU64,
    pub reset_mid: AtomicU64,
    pub lost: AtomicU64,
    pub server_errors: AtomicU64,
    pub slow: AtomicU64,
    pub truncated: AtomicU64,
    pub refused_while_down: AtomicU64,
}

impl Stats {
    pub fn faults(&self) -> u64 {
        self.reset_before.load(Ordering::Relaxed)
            + self.reset_mid.load(Ordering::Relaxed)
            + self.lost.load(Ordering::Relaxed)
            + self.server_errors.load(Ordering::Relaxed)
            + self.slow.load(Ordering::Relaxed)
            + self.truncated.load(Ordering::Relaxed)
    }
}

pub struct FaultProxy {
    pub url: String,
    addr: SocketAddr,
    upstream: Arc<Mutex<SocketAddr>>,
    pub plan: Arc<Mutex<Plan>>,
    pub stats: Arc<Stats>,
    down: Arc<AtomicBool>,
    accept: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl FaultProxy {
    pub async fn start(upstream: SocketAddr, plan: Plan) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let proxy = Self {
            url: format!("http://{addr}"),
            addr,
            upstream: Arc::new(Mutex::new(upstream)),
            plan: Arc::new(Mutex::new(plan)),
            stats: Arc::new(Stats::default()),
            down: Arc::new(AtomicBool::new(false)),
            accept: Mutex::new(None),
        };
        proxy.serve(listener);
        proxy
    }

    fn serve(&self, listener: TcpListener) {
        let (upstream, plan, stats) =
            (self.upstream.clone(), self.plan.clone(), self.stats.clone());
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (upstream, plan, stats) = (upstream.clone(), plan.clone(), stats.clone());
                tokio::spawn(async move {
                    let _ = connection(client, upstream, plan, stats).await;
                });
            }
        });
        *self.accept.lock().unwrap() = Some(task);
    }

    /// Closes the listening socket: connections are refused until [`up`](Self::up).
    pub fn down(&self) {
        self.down.store(true, Ordering::Release);
        if let Some(task) = self.accept.lock().unwrap().take() {
            task.abort();
        }
    }

    /// Listens again on the same port.
    pub async fn up(&self) {
        let listener = loop {
            match TcpListener::bind(self.addr).await {
                Ok(l) => break l,
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        };
        self.down.store(false, Ordering::Release);
        self.serve(listener);
    }

    /// Points the proxy at another hub address (a restarted hub).
    pub fn retarget(&self, upstream: SocketAddr) {
        *self.upstream.lock().unwrap() = upstream;
    }
}

/// Reads an HTTP head (through the blank line); `None` at a clean end of stream.
async fn read_head<R: AsyncBufReadExt + Unpin>(reader: &mut R) -> std::io::Result<Option<Vec<u8>>> {
    let mut head = Vec::new();
    loop {
        let mut line = Vec::new();
        let n = reader.read_until(b'\n', &mut line).await?;
        if n == 0 {
            return Ok(if head.is_empty() { None } else { Some(head) });
        }
        head.extend_from_slice(&line);
        if line == b"\r\n" {
            return Ok(Some(head));
        }
    }
}

fn content_length(head: &[u8]) -> usize {
    String::from_utf8_lossy(head)
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.trim()
                .eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())
                .flatten()
        })
        .unwrap_or(0)
}

async fn connection(
    client: TcpStream,
    upstream: Arc<Mutex<SocketAddr>>,
    plan: Arc<Mutex<Plan>>,
    stats: Arc<Stats>,
) -> std::io::Result<()> {
    let mut client = BufReader::new(client);
    loop {
        let fault = plan.lock().unwrap().next();
        if fault == Fault::ResetBeforeRequest {
            stats.reset_before.fetch_add(1, Ordering::Relaxed);
            return Ok(());
        }
        let Some(head) = read_head(&mut client).await? else {
            return Ok(());
        };
        if fault == Fault::ResetMidRequest {
            stats.reset_mid.fetch_add(1, Ordering::Relaxed);
            return Ok(());
        }
        let mut body = vec![0; content_length(&head)];
        client.read_exact(&mut body).await?;
        if fault == Fault::ServerError {
            stats.server_errors.fetch_add(1, Ordering::Relaxed);
            let text = br#"{"code":"proxy","message":"injected 500"}"#;
            let answer = format!(
                "HTTP/1.1 500 Internal Server Error\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                text.len()
            );
            client.get_mut().write_all(answer.as_bytes()).await?;
            client.get_mut().write_all(text).await?;
            continue;
        }
        let target = *upstream.lock().unwrap();
        let Ok(up) = TcpStream::connect(target).await else {
            // The hub is down: the device sees the connection close.
            return Ok(());
        };
        let mut up = BufReader::new(up);
        up.get_mut().write_all(&head).await?;
        up.get_mut().write_all(&body).await?;
        let Some(answer_head) = read_head(&mut up).await? else {
            return Ok(());
        };
        let mut answer = vec![0; content_length(&answer_head)];
        up.read_exact(&mut answer).await?;
        match fault {
            Fault::LoseResponse => {
                stats.lost.fetch_add(1, Ordering::Relaxed);
                return Ok(());
            }
            Fault::Truncate => {
                stats.truncated.fetch_add(1, Ordering::Relaxed);
                client.get_mut().write_all(&answer_head).await?;
                client
                    .get_mut()
                    .write_all(&answer[..answer.len() / 2])
                    .await?;
                return Ok(());
            }
            Fault::Slow(delay) => {
                stats.slow.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(delay).await;
            }
            _ => {
                stats.passed.fetch_add(1, Ordering::Relaxed);
            }
        }
        client.get_mut().write_all(&answer_head).await?;
        client.get_mut().write_all(&answer).await?;
    }
}
