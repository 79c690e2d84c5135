//! Tests of the whole router that need hooks inside it: routes added behind the gate (a panicking handler, a
//! query that runs until stopped) and the pool's bounds.
use super::*;
use crate::{keys, store};
use axum::body::Body;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use std::net::SocketAddr;
use std::time::Duration;

async fn boom() -> StatusCode {
    panic!("a bug in a handler")
}

/// Serves `app` on 127.0.0.1 from a thread of its own.
fn spawn(app: Router, limits: Limits) -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let l = tokio::net::TcpListener::from_std(listener).unwrap();
            serve_with(l, app, &limits, std::future::pending()).await.unwrap();
        });
    });
    addr
}

/// A statement that runs for as long as it is let (a recursive count to 10^10).
async fn slow(State(st): State<Shared>) -> Response {
    let conn = match st.pool.get().await {
        Ok(c) => c,
        Err(e) => return ApiError::internal(&RequestId("req_slow".into()), &e).into_response(),
    };
    let res = tokio::task::spawn_blocking(move || {
        conn.sqlite().expect("an SQLite store").query_row(
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 10000000000) \
             SELECT count(*) FROM c",
            [],
            |r| r.get::<_, i64>(0),
        )
    })
    .await
    .unwrap();
    match res {
        Ok(n) => n.to_string().into_response(),
        Err(e) => ApiError::internal(&RequestId("req_slow".into()), &e.into()).into_response(),
    }
}

/// One store connection, no queue, a 700 ms query limit: a slow query is stopped at the limit (503
/// `query_timeout`), and a request arriving while it runs is refused at once (503 `busy`), both with
/// `Retry-After`; afterwards the server answers normally.
#[test]
fn store_work_is_bounded() {
    let dir = std::env::temp_dir().join(format!("ioclens-bounded-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let db = dir.join("store.db");
    let conn = store::open(&db).unwrap();
    let (key, _) = keys::create(&conn, "t", 0, 1_800_000_000).unwrap();
    let limits = Limits {
        store_connections: 1,
        queue: 0,
        query_timeout: Duration::from_millis(700),
        ..Limits::default()
    };
    let extra = Router::new().route("/api/v1/slow", get(slow));
    let app =
        build(&db, Settings { limits: limits.clone(), ..Settings::default() }, extra).unwrap();
    let addr = spawn(app, limits);
    let agent: ureq::Agent =
        ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let auth = format!("Bearer {key}");
    // The key is verified (and cached) first, so the requests below need the store only for their work.
    let warm = agent.get(&format!("http://{addr}/api/v1/feeds")).header("Authorization", &auth);
    assert_eq!(warm.call().unwrap().status(), 200);
    let (a2, auth2) = (agent.clone(), auth.clone());
    let started = Instant::now();
    let slow = std::thread::spawn(move || {
        let mut r = a2
            .get(&format!("http://{addr}/api/v1/slow"))
            .header("Authorization", &auth2)
            .call()
            .unwrap();
        let retry = r.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned());
        (r.status().as_u16(), r.body_mut().read_to_string().unwrap(), retry)
    });
    std::thread::sleep(Duration::from_millis(250));
    let mut busy = agent
        .get(&format!("http://{addr}/api/v1/feeds"))
        .header("Authorization", &auth)
        .call()
        .unwrap();
    assert_eq!(busy.status(), 503);
    assert_eq!(busy.headers().get("retry-after").unwrap(), "1");
    let body: Value = serde_json::from_str(&busy.body_mut().read_to_string().unwrap()).unwrap();
    assert_eq!(body["error"]["code"], "busy");
    let (status, text, retry) = slow.join().unwrap();
    let took = started.elapsed();
    assert_eq!(status, 503, "{text}");
    assert!(text.contains("query_timeout"), "{text}");
    assert_eq!(retry.as_deref(), Some("1"));
    assert!(took >= Duration::from_millis(650) && took < Duration::from_secs(5), "{took:?}");
    let after = agent.get(&format!("http://{addr}/api/v1/feeds")).header("Authorization", &auth);
    assert_eq!(after.call().unwrap().status(), 200);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_panicking_handler_answers_500_with_the_error_envelope() {
    let dir = std::env::temp_dir().join(format!("ioclens-panic-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let db = dir.join("store.db");
    let conn = store::open(&db).unwrap();
    let (key, _) = keys::create(&conn, "t", 0, 1_800_000_000).unwrap();
    let boom = Router::new().route("/api/v1/boom", get(boom)).route(
        "/api/v1/boom-later",
        get(|| async {
            tokio::task::yield_now().await;
            let v: Vec<u8> = Vec::new();
            Response::new(Body::from(v[3..].to_vec()))
        }),
    );
    let addr = spawn(build(&db, Settings::default(), boom).unwrap(), Limits::default());
    // One keep-alive connection for every request: the panics must not close it.
    let agent: ureq::Agent =
        ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let auth = format!("Bearer {key}");
    for path in ["/api/v1/boom", "/api/v1/boom-later", "/api/v1/boom"] {
        let mut res = agent
            .get(&format!("http://{addr}{path}"))
            .header("Authorization", &auth)
            .call()
            .unwrap();
        assert_eq!(res.status(), 500, "{path}");
        let rid = res.headers().get("x-request-id").unwrap().to_str().unwrap().to_owned();
        let body: Value = serde_json::from_str(&res.body_mut().read_to_string().unwrap()).unwrap();
        assert_eq!(body["error"]["code"], "internal_error");
        assert_eq!(body["error"]["request_id"], rid.as_str());
        // The panic message (internals) is logged, not sent.
        assert!(!body["error"]["message"].as_str().unwrap().contains("a bug in a handler"));
    }
    // The server goes on answering, through the same pool and key cache.
    let mut res = agent
        .get(&format!("http://{addr}/api/v1/lookup?ioc=evil.example"))
        .header("Authorization", &auth)
        .call()
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = serde_json::from_str(&res.body_mut().read_to_string().unwrap()).unwrap();
    assert_eq!(body["data"]["ioc_value"], "evil.example");
    let _ = std::fs::remove_dir_all(dir);
}
