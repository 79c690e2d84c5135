//! A real server on 127.0.0.1 (random port) over a temporary store, a real HTTP client (ureq), and a small
//! JSON Schema checker so every response is checked against `server/openapi.json`.
#![allow(dead_code, unreachable_pub, clippy::doc_markdown, clippy::disallowed_methods)]
use ioclens_server::ingest::{self, FeedSpec};
use ioclens_server::store::{self, Category, Level};
use ioclens_server::{keys, sectors};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

pub struct Server {
    pub base: String,
    pub db: PathBuf,
    pub dir: PathBuf,
    pub key: String,
    pub agent: ureq::Agent,
    pub spec: Value,
    /// `(method, spec path, status)` of every reply, for the OpenAPI coverage test.
    pub seen: Mutex<Vec<(String, String, u16)>>,
}

static N: AtomicUsize = AtomicUsize::new(0);

/// The store the suite runs on: `IOCLENS_TEST_STORE=postgres` runs it on the `PostgreSQL` cluster named by
/// `IOCLENS_TEST_DATABASE_URL` (scripts/test.d/45-postgres.sh), each server in a schema of its own; else `SQLite`.
pub fn pg_base() -> Option<String> {
    (std::env::var("IOCLENS_TEST_STORE").as_deref() == Ok("postgres")).then(|| {
        std::env::var("IOCLENS_TEST_DATABASE_URL")
            .expect("IOCLENS_TEST_STORE=postgres needs IOCLENS_TEST_DATABASE_URL")
    })
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

pub fn spec(name: &str, category: Category, confidence: Level, sector: &[&str]) -> FeedSpec {
    FeedSpec {
        name: name.to_owned(),
        category,
        confidence,
        sectors: sectors::mask(sector.iter().copied()).unwrap(),
        tags: Vec::new(),
        reference_url: None,
        first_seen: None,
        last_seen: None,
    }
}

impl Server {
    /// Starts a server on an empty store (plus `www` static dir) with one unlimited key.
    pub fn start(www: Option<PathBuf>) -> Server {
        Server::start_with(www, ioclens_server::api::Cors::default())
    }

    /// As `start`, with CORS origins allowed.
    pub fn start_with(www: Option<PathBuf>, cors: ioclens_server::api::Cors) -> Server {
        Server::start_settings(ioclens_server::api::Settings {
            www,
            cors,
            ..ioclens_server::api::Settings::default()
        })
    }

    /// As `start`, with every setting given (limits, `Host` names).
    pub fn start_settings(settings: ioclens_server::api::Settings) -> Server {
        let dir = std::env::temp_dir().join(format!(
            "ioclens-server-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        // On PostgreSQL, a schema of its own in the test cluster for each server (cheaper than a database each).
        let (db, key) = if let Some(base) = pg_base() {
            let schema = format!("t{}_{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed));
            let mut admin = ioclens_server::store_pg::open(&base).unwrap();
            admin.batch_execute(&format!("CREATE SCHEMA {schema}")).unwrap();
            let url = format!("{base}?options=-c%20search_path%3D{schema}");
            let mut c = ioclens_server::store_pg::open(&url).unwrap();
            let (key, _) =
                ioclens_server::store_pg::create_key(&mut c, "test", 0, 1_800_000_000).unwrap();
            (PathBuf::from(url), key)
        } else {
            let db = dir.join("store.db");
            let conn = store::open(&db).unwrap();
            let (key, _) = keys::create(&conn, "test", 0, 1_800_000_000).unwrap();
            (db, key)
        };
        let limits = settings.limits.clone();
        let app = ioclens_server::api::router_with(db.clone(), settings).unwrap();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let l = tokio::net::TcpListener::from_std(listener).unwrap();
                ioclens_server::api::serve_with(l, app, &limits, std::future::pending())
                    .await
                    .unwrap();
            });
        });
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_idle_connections(0)
            .build()
            .into();
        let spec: Value = serde_json::from_str(ioclens_server::api::OPENAPI).unwrap();
        Server {
            base: format!("http://{addr}"),
            db,
            dir,
            key,
            agent,
            spec,
            seen: Mutex::new(Vec::new()),
        }
    }

    /// The `PostgreSQL` store of this server, when the suite runs on one.
    fn pg(&self) -> Option<postgres::Client> {
        self.db
            .to_str()
            .filter(|d| ioclens_server::store_pg::is_url(d))
            .map(|url| ioclens_server::store_pg::open(url).unwrap())
    }

    /// Ingests a fixture (file or MISP dir) as a feed.
    pub fn feed(&self, fixture_name: &str, spec: &FeedSpec) -> ingest::IngestReport {
        self.ingest(spec, ingest::read_path(&fixture(fixture_name)).unwrap(), 1_800_000_000)
    }

    /// Ingests `parsed` as feed `spec` at `now`, into whichever store the server runs on.
    pub fn ingest(
        &self,
        spec: &FeedSpec,
        parsed: ingest::Parsed,
        now: i64,
    ) -> ingest::IngestReport {
        if let Some(mut c) = self.pg() {
            return ioclens_server::store_pg::ingest(&mut c, spec, parsed, now, &|_| {}).unwrap();
        }
        let mut conn = store::open(&self.db).unwrap();
        ingest::ingest(&mut conn, spec, parsed, now, &|_| {}).unwrap()
    }

    pub fn key_with_limit(&self, limit: i64) -> (String, i64) {
        let mut store: Box<dyn keys::KeyStore> = match self.pg() {
            Some(c) => Box::new(c),
            None => Box::new(store::open(&self.db).unwrap()),
        };
        let (key, info) = store.create("limited", limit, 1_800_000_000).unwrap();
        (key, info.id)
    }

    /// Revokes key `id`, as `ioclens keys revoke` does from another process.
    pub fn revoke(&self, id: i64) -> bool {
        let mut store: Box<dyn keys::KeyStore> = match self.pg() {
            Some(c) => Box::new(c),
            None => Box::new(store::open(&self.db).unwrap()),
        };
        store.revoke(&id.to_string(), 1_800_000_000).unwrap()
    }

    /// Starts a server with the four fixture feeds loaded (see `tests/api.rs` for the expected contents).
    pub fn with_fixtures() -> Server {
        let s = Server::start(None);
        s.feed("stix-bundle.json", &spec("cert", Category::Government, Level::Medium, &[]));
        s.feed("misp", &spec("isac", Category::Commercial, Level::Low, &["energy"]));
        s.feed("list.csv", &spec("csvlist", Category::Community, Level::Medium, &[]));
        s.feed("list.txt", &spec("txtlist", Category::Community, Level::Low, &[]));
        s
    }
}

impl Server {
    /// `host:port` of the server.
    pub fn addr(&self) -> &str {
        self.base.trim_start_matches("http://")
    }

    /// Sends `request` (a whole HTTP/1.1 request, sent byte for byte: no client normalises its path) on a new
    /// connection and returns the status and the body (`connection: close` is expected in `request`).
    pub fn raw(&self, request: &[u8]) -> (u16, String) {
        use std::io::{Read as _, Write as _};
        let mut c = std::net::TcpStream::connect(self.addr()).unwrap();
        c.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
        c.write_all(request).unwrap();
        let mut out = Vec::new();
        let _ = c.read_to_end(&mut out);
        let text = String::from_utf8_lossy(&out).into_owned();
        let status = text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
        (status, body)
    }

    /// `GET target` with a `Host` of the server's own address, sent raw.
    pub fn raw_get(&self, target: &str) -> (u16, String) {
        self.raw(
            format!("GET {target} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", self.addr())
                .as_bytes(),
        )
    }
}

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub text: String,
    pub json: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
    pub fn error_code(&self) -> &str {
        self.json["error"]["code"].as_str().unwrap_or("")
    }
}

impl Server {
    /// Sends a request with extra headers. Checks the reply against the OpenAPI document (status listed,
    /// content type listed, JSON body valid) and records it.
    pub fn call(
        &self,
        method: &str,
        path_and_query: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Reply {
        let url = format!("{}{path_and_query}", self.base);
        let mut res = match method {
            "GET" => {
                let mut r = self.agent.get(&url);
                for (k, v) in headers {
                    r = r.header(*k, *v);
                }
                r.call().unwrap()
            }
            "POST" => {
                let mut r = self.agent.post(&url).header("content-type", "application/json");
                for (k, v) in headers {
                    r = r.header(*k, *v);
                }
                r.send(body.unwrap_or("")).unwrap()
            }
            "DELETE" => {
                let mut r = self.agent.delete(&url);
                for (k, v) in headers {
                    r = r.header(*k, *v);
                }
                r.call().unwrap()
            }
            "OPTIONS" => {
                let mut r = ureq::http::Request::builder().method("OPTIONS").uri(&url);
                for (k, v) in headers {
                    r = r.header(*k, *v);
                }
                self.agent.run(r.body(()).unwrap()).unwrap()
            }
            _ => panic!("method {method}"),
        };
        let status = res.status().as_u16();
        let headers: Vec<(String, String)> = res
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
            .collect();
        let text = res.body_mut().with_config().limit(64 << 20).read_to_string().unwrap();
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        let reply = Reply { status, headers, text, json };
        self.check_schema(method, path_and_query, &reply);
        reply
    }

    pub fn get(&self, path_and_query: &str) -> Reply {
        let auth = format!("Bearer {}", self.key);
        self.call("GET", path_and_query, &[("Authorization", &auth)], None)
    }

    pub fn post(&self, path: &str, body: &str) -> Reply {
        self.call("POST", path, &[("X-API-Key", &self.key)], Some(body))
    }

    fn check_schema(&self, method: &str, path_and_query: &str, reply: &Reply) {
        let concrete = path_and_query.split('?').next().unwrap();
        // The documented path: the same, or a template whose `{name}` segments stand for one segment each.
        let same = |template: &str| {
            let (t, c): (Vec<&str>, Vec<&str>) =
                (template.split('/').collect(), concrete.split('/').collect());
            t.len() == c.len()
                && t.iter().zip(&c).all(|(t, c)| t == c || (t.starts_with('{') && !c.is_empty()))
        };
        let paths = self.spec["paths"].as_object().unwrap();
        let Some(path) =
            paths.keys().find(|k| *k == concrete).or_else(|| paths.keys().find(|k| same(k)))
        else {
            return;
        };
        let Some(op) =
            self.spec["paths"].get(path).and_then(|p| p.get(method.to_ascii_lowercase()))
        else {
            return;
        };
        self.seen.lock().unwrap().push((method.to_owned(), path.to_owned(), reply.status));
        let Some(mut resp) = op["responses"].get(reply.status.to_string()).cloned() else {
            panic!(
                "{method} {path} answered {} which the OpenAPI document does not list: {}",
                reply.status, reply.text
            )
        };
        if let Some(r) = resp.get("$ref").and_then(Value::as_str) {
            resp = resolve(&self.spec, r).clone();
        }
        // A documented answer without a body (`304 Not Modified`) must come without one.
        if resp.get("content").is_none() {
            assert!(
                reply.text.is_empty(),
                "{method} {path} {}: a body: {}",
                reply.status,
                reply.text
            );
            return;
        }
        let ct = reply.header("content-type").unwrap_or("");
        let media = ct.split(';').next().unwrap().trim();
        let Some(schema) = resp["content"].get(media).map(|c| &c["schema"]) else {
            panic!("{method} {path} {}: content type `{ct}` not documented", reply.status)
        };
        if media == "application/json"
            && let Err(e) = validate(&self.spec, schema, &reply.json, "$")
        {
            panic!(
                "{method} {path_and_query} {}: response does not match the schema: {e}\n{}",
                reply.status, reply.text
            );
        }
    }
}

fn resolve<'a>(spec: &'a Value, r: &str) -> &'a Value {
    let mut v = spec;
    for part in r.trim_start_matches("#/").split('/') {
        v = &v[part];
    }
    v
}

fn type_ok(t: &str, v: &Value) -> bool {
    match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        _ => false,
    }
}

/// Checks the JSON Schema keywords the document uses: $ref, type, enum, const, properties, required, items,
/// minimum, maximum, oneOf, anyOf.
pub fn validate(spec: &Value, schema: &Value, v: &Value, at: &str) -> Result<(), String> {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        return validate(spec, resolve(spec, r), v, at);
    }
    match schema.get("type") {
        Some(Value::String(t)) if !type_ok(t, v) => {
            return Err(format!("{at}: expected {t}, got {v}"));
        }
        Some(Value::Array(ts)) if !ts.iter().any(|t| type_ok(t.as_str().unwrap(), v)) => {
            return Err(format!("{at}: expected one of {ts:?}, got {v}"));
        }
        _ => {}
    }
    if let Some(e) = schema.get("enum").and_then(Value::as_array)
        && !e.contains(v)
    {
        return Err(format!("{at}: {v} not in enum"));
    }
    if let Some(c) = schema.get("const")
        && c != v
    {
        return Err(format!("{at}: {v} is not {c}"));
    }
    if let (Some(min), Some(n)) = (schema.get("minimum").and_then(Value::as_f64), v.as_f64())
        && n < min
    {
        return Err(format!("{at}: {n} < {min}"));
    }
    if let (Some(max), Some(n)) = (schema.get("maximum").and_then(Value::as_f64), v.as_f64())
        && n > max
    {
        return Err(format!("{at}: {n} > {max}"));
    }
    if let Some(o) = v.as_object() {
        for r in schema.get("required").and_then(Value::as_array).into_iter().flatten() {
            let r = r.as_str().unwrap();
            if !o.contains_key(r) {
                return Err(format!("{at}: missing required `{r}`"));
            }
        }
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            for (k, s) in props {
                if let Some(x) = o.get(k) {
                    validate(spec, s, x, &format!("{at}.{k}"))?;
                }
            }
        }
    }
    if let (Some(items), Some(a)) = (schema.get("items"), v.as_array()) {
        for (i, x) in a.iter().enumerate() {
            validate(spec, items, x, &format!("{at}[{i}]"))?;
        }
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(alts) = schema.get(key).and_then(Value::as_array) {
            let ok = alts.iter().filter(|s| validate(spec, s, v, at).is_ok()).count();
            if ok == 0 || (key == "oneOf" && ok > 1) {
                return Err(format!("{at}: {ok} alternatives of {key} match"));
            }
        }
    }
    Ok(())
}
