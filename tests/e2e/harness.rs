//! What the end-to-end tests stand on: a loopback static server for the Trunk release
//! dist, and headless Chromium driven through Debian's ChromeDriver with fantoccini.

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Component, Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The dist to serve: `$E2E_DIST`, else `dist/` (what `trunk build --release` writes).
pub fn dist_dir() -> PathBuf {
    let dir = std::env::var_os("E2E_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("dist"));
    assert!(
        dir.join("index.html").is_file(),
        "no release build at {}: run `make test-e2e` (it builds with trunk first)",
        dir.display()
    );
    dir
}

/// Serves `root` on 127.0.0.1 under the URL prefix `mount` (e.g. "/" or "/course/play/"),
/// on a free port, from a background thread, for the life of the process.
pub fn serve(root: PathBuf, mount: &'static str) -> String {
    serve_with(root, mount, false)
}

/// Like [`serve`], with the caching headers a static host would send for a Trunk dist:
/// `index.html` is revalidated (`no-cache`), the files with a content hash in their name are
/// `immutable` for a year. The load benchmark's second visit then reads them from the cache.
pub fn serve_cached(root: PathBuf, mount: &'static str) -> String {
    serve_with(root, mount, true)
}

fn serve_with(root: PathBuf, mount: &'static str, cached: bool) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let root = root.clone();
            std::thread::spawn(move || {
                let _ = answer(stream, &root, mount, cached);
            });
        }
    });
    format!("http://{addr}{mount}")
}

fn answer(mut stream: TcpStream, root: &Path, mount: &str, cached: bool) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    // Drain the headers.
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" {
            break;
        }
    }
    let target = request_line.split_whitespace().nth(1).unwrap_or("/");
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let file = path.strip_prefix(mount).map(|rest| {
        let rest = if rest.is_empty() || rest.ends_with('/') { format!("{rest}index.html") } else { rest.to_string() };
        root.join(rest)
    });
    let safe = file.as_ref().is_some_and(|f| {
        f.strip_prefix(root).is_ok_and(|rel| rel.components().all(|c| matches!(c, Component::Normal(_))))
    });
    match file.filter(|f| safe && f.is_file()) {
        Some(file) => {
            let body = std::fs::read(&file)?;
            let mime = match file.extension().and_then(|e| e.to_str()) {
                Some("html") => "text/html; charset=utf-8",
                Some("js") => "text/javascript",
                Some("wasm") => "application/wasm",
                Some("css") => "text/css",
                Some("svg") => "image/svg+xml",
                Some("json") => "application/json",
                _ => "application/octet-stream",
            };
            let cache = match (cached, file.extension().and_then(|e| e.to_str())) {
                (false, _) => "",
                (true, Some("html")) => "Cache-Control: no-cache\r\n",
                (true, _) => "Cache-Control: max-age=31536000, immutable\r\n",
            };
            write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: {mime}\r\nContent-Length: {}\r\n{cache}Connection: close\r\n\r\n",
                body.len()
            )?;
            stream.write_all(&body)
        }
        None => stream.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found"),
    }
}

/// A ChromeDriver process, in a process group of its own with the browsers it starts.
///
/// On drop (also when a test panics, or never closes its client) it ends every session it
/// opened, which quits that browser and removes its profile, then kills the whole group:
/// killing only the driver left each browser running, orphaned (300 processes, 200 MB of
/// memory a browser, after a day of test runs).
pub struct Driver {
    child: Child,
    pub url: String,
    sessions: std::sync::Mutex<Vec<String>>,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let sessions = std::mem::take(&mut *self.sessions.lock().unwrap_or_else(|e| e.into_inner()));
        for session in sessions {
            delete_session(&self.url, &session);
        }
        // The group's id is the driver's pid (it was started as the group's leader).
        let _ = Command::new("kill").args(["-KILL", "--", &format!("-{}", self.child.id())]).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Asks the driver to end a session (`DELETE /session/{id}`), waiting up to 10 s; a
/// failure is ignored (the process group is killed after it anyway).
fn delete_session(url: &str, session: &str) {
    let addr = url.trim_start_matches("http://");
    let Ok(mut stream) = TcpStream::connect(addr) else { return };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let request = format!("DELETE /session/{session} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_ok() {
        // The reply comes once the browser has quit.
        let _ = std::io::Read::read(&mut stream, &mut [0u8; 64]);
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

pub fn start_driver() -> Driver {
    let exe = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
    let port = free_port();
    let child = Command::new(&exe)
        .arg(format!("--port={port}"))
        .process_group(0)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {exe}: {e} (run `make test-e2e`, which installs it)"));
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not listen on port {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
    Driver { child, url: format!("http://127.0.0.1:{port}"), sessions: Default::default() }
}

/// The usual start of a test: the dist served at `/`, a driver, a `width`×`height`
/// browser at the page's `#fragment` (none if empty). Also returns the page's address,
/// for the test's later links.
pub async fn open_page(width: u32, height: u32, fragment: &str) -> (Driver, Client, String) {
    let base = serve(dist_dir(), "/");
    let driver = start_driver();
    let client = browser(&driver, width, height).await;
    let url = if fragment.is_empty() { base.clone() } else { format!("{base}#{fragment}") };
    client.goto(&url).await.unwrap();
    (driver, client, base)
}

/// Opens headless Chromium at a window of `width`×`height` CSS pixels.
pub async fn browser(driver: &Driver, width: u32, height: u32) -> Client {
    let mut args: Vec<String> = [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.push(format!("--window-size={width},{height}"));
    let mut caps = serde_json::Map::new();
    caps.insert("goog:chromeOptions".into(), json!({ "binary": "/usr/bin/chromium", "args": args }));
    // Plain HTTP to the loopback driver: no TLS needed (or compiled).
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a Chromium session through chromedriver");
    if let Ok(Some(id)) = client.session_id().await {
        driver.sessions.lock().unwrap().push(id);
    }
    // --window-size sets the outer window; make the viewport exact.
    let chrome: Vec<u32> = serde_json::from_value(
        client
            .execute("return [window.outerWidth - window.innerWidth, window.outerHeight - window.innerHeight]", vec![])
            .await
            .unwrap(),
    )
    .unwrap_or(vec![0, 0]);
    let _ = client.set_window_size(width + chrome[0], height + chrome[1]).await;
    client
}

/// Waits (up to 20 s) for a CSS selector to match.
pub async fn wait_for(client: &Client, css: &str) -> fantoccini::elements::Element {
    client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("`{css}` never appeared: {e}"))
}

/// Saves a PNG of the viewport under `target/e2e/NAME.png` for people to look at.
pub async fn screenshot(client: &Client, name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/e2e");
    std::fs::create_dir_all(&dir).unwrap();
    let png = client.screenshot().await.expect("screenshot");
    let path = dir.join(format!("{name}.png"));
    std::fs::write(&path, png).unwrap();
    eprintln!("screenshot: {}", path.display());
    path
}

/// Runs a script in the page and returns its value.
pub async fn js(client: &Client, script: &str) -> serde_json::Value {
    client.execute(script, vec![]).await.unwrap()
}

/// Polls a script until it returns `true` (up to 30 s); returns how long that took.
pub async fn until(client: &Client, script: &str) -> Duration {
    let t = Instant::now();
    for _ in 0..300 {
        if js(client, script).await == serde_json::Value::Bool(true) {
            return t.elapsed();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("never true: {script}");
}
