//! The accept loop: connection limits (total, per client), header-read and idle timeouts, graceful shutdown.
use super::config::{Config, Hosts, Limits};
use super::pool::lock;
use super::{ServerProviders, Settings, router_with};
use anyhow::{Context as _, Result};
use axum::Router;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Serves until Ctrl-C. `on_bound` gets the address actually bound (the real port when `listen` asks for port
/// 0) once the bind has succeeded, so a start-up message never announces an address that is not served.
pub async fn serve(config: Config, on_bound: impl FnOnce(std::net::SocketAddr)) -> Result<()> {
    let hosts =
        Hosts::for_listen(config.listen, &config.allowed_hosts).map_err(anyhow::Error::msg)?;
    let limits = config.limits.clone();
    let app = router_with(
        config.db.clone(),
        Settings {
            www: config.www.clone(),
            cors: config.cors.clone(),
            hosts,
            limits: limits.clone(),
            intel: config.intel.clone(),
            providers: Some(
                config.providers.clone().unwrap_or_else(|| Arc::new(ServerProviders::from_env())),
            ),
        },
    )?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("binding {}", config.listen))?;
    on_bound(listener.local_addr().context("reading the bound address")?);
    serve_with(listener, app, &limits, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
}

/// Serves `app` on a bound listener with default [`Limits`] until `shutdown` resolves.
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<()> {
    serve_with(listener, app, &Limits::default(), shutdown).await
}

/// Serves `app` on a bound listener until `shutdown` resolves, within the connection limits: at most
/// `max_connections` at once (the next client waits in the kernel's accept queue until one closes), at most
/// `max_connections_per_client` per client address (more are closed at once), `header_read_timeout` to send
/// each request's headers and `idle_timeout` without progress either way. `TCP_NODELAY` is set (no
/// Nagle/delayed-ACK stalls on multi-segment answers). On shutdown, open connections finish their request.
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    app: Router,
    limits: &Limits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let slots = Arc::new(tokio::sync::Semaphore::new(limits.max_connections.max(1)));
    let per_client: Arc<Mutex<HashMap<std::net::IpAddr, usize>>> = Arc::default();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(limits.header_read_timeout);
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            s = slots.clone().acquire_owned() => s.context("connection slots closed")?,
            () = &mut shutdown => break,
        };
        let (tcp, peer) = tokio::select! {
            r = listener.accept() => if let Ok(c) = r { c } else {
                // Out of file descriptors or a connection reset before accept: wait a little rather than spin.
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            },
            () = &mut shutdown => break,
        };
        let Some(client) =
            ClientSlot::take(&per_client, peer.ip(), limits.max_connections_per_client)
        else {
            continue;
        };
        let _ = tcp.set_nodelay(true);
        let io = TokioIo::new(IdleIo::new(tcp, limits.idle_timeout));
        let svc = hyper_util::service::TowerToHyperService::new(app.clone());
        let conn = http.serve_connection(io, svc);
        let mut stop = stop_rx.clone();
        tokio::spawn(async move {
            let _held = (slot, client);
            let mut conn = std::pin::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                () = async { drop(stop.wait_for(|s| *s).await) } => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
        });
    }
    let _ = stop_tx.send(true);
    // Wait (a bounded time) for open connections to finish their request.
    let all = u32::try_from(limits.max_connections.max(1)).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout(limits.idle_timeout, slots.acquire_many(all)).await;
    Ok(())
}

/// One client address's share of the connections, given back when the connection closes.
struct ClientSlot {
    map: Arc<Mutex<HashMap<std::net::IpAddr, usize>>>,
    ip: std::net::IpAddr,
}

impl ClientSlot {
    fn take(
        map: &Arc<Mutex<HashMap<std::net::IpAddr, usize>>>,
        ip: std::net::IpAddr,
        cap: usize,
    ) -> Option<Self> {
        let mut m = lock(map);
        let n = m.entry(ip).or_insert(0);
        if *n >= cap.max(1) {
            return None;
        }
        *n += 1;
        Some(Self { map: map.clone(), ip })
    }
}

impl Drop for ClientSlot {
    fn drop(&mut self) {
        let mut m = lock(&self.map);
        if let Some(n) = m.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                m.remove(&self.ip);
            }
        }
    }
}

/// A connection that fails with `TimedOut` once no byte has moved either way for `idle`. Progress only records
/// the time (no timer re-registration per read or write); the timer is moved on when it fires early.
struct IdleIo {
    io: tokio::net::TcpStream,
    idle: Duration,
    last: tokio::time::Instant,
    timer: std::pin::Pin<Box<tokio::time::Sleep>>,
}

impl IdleIo {
    fn new(io: tokio::net::TcpStream, idle: Duration) -> Self {
        Self {
            io,
            idle,
            last: tokio::time::Instant::now(),
            timer: Box::pin(tokio::time::sleep(idle)),
        }
    }

    /// After a poll: progress records the time; waiting checks the timer.
    fn check<T>(
        &mut self,
        cx: &mut std::task::Context<'_>,
        r: std::task::Poll<std::io::Result<T>>,
    ) -> std::task::Poll<std::io::Result<T>> {
        use std::task::Poll;
        match r {
            Poll::Pending => loop {
                if self.timer.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                let due = self.last + self.idle;
                if tokio::time::Instant::now() >= due {
                    return Poll::Ready(Err(std::io::ErrorKind::TimedOut.into()));
                }
                self.timer.as_mut().reset(due);
            },
            done @ Poll::Ready(_) => {
                self.last = tokio::time::Instant::now();
                done
            }
        }
    }
}

impl tokio::io::AsyncRead for IdleIo {
    fn poll_read(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let r = std::pin::Pin::new(&mut this.io).poll_read(cx, buf);
        this.check(cx, r)
    }
}

impl tokio::io::AsyncWrite for IdleIo {
    fn poll_write(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let r = std::pin::Pin::new(&mut this.io).poll_write(cx, buf);
        this.check(cx, r)
    }
    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let r = std::pin::Pin::new(&mut this.io).poll_flush(cx);
        this.check(cx, r)
    }
    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }
    fn poll_write_vectored(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> std::task::Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let r = std::pin::Pin::new(&mut this.io).poll_write_vectored(cx, bufs);
        this.check(cx, r)
    }
    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }
}
