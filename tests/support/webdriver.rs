//! A tiny W3C WebDriver client, so that a browser scenario is written once and
//! run in every engine: headless Chromium through `chromedriver`, headless
//! Firefox (ESR) through `geckodriver`, and WebKit (WebKitGTK's `MiniBrowser`)
//! through `WebKitWebDriver`, on an X server of its own (`Xvfb`): MiniBrowser
//! has no headless mode under automation.
//!
//! Only what the browser suite needs: start the driver on an ephemeral
//! loopback port, open one session, navigate, run scripts in the page, read
//! the console's CORS messages, quit. Requests go over hyper's HTTP/1 client
//! on a private current-thread tokio runtime; JSON is `serde_json`.
//!
//! Everything engine-specific (binaries, flags, preferences, how the console
//! is read) lives in [`Engine`]; a [`Browser`] behaves the same for every engine.
//! Dropping a [`Browser`] ends its session, kills its driver process and
//! removes its temporary directory.

use std::fmt;
use std::io::Read;
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio::runtime::Runtime;

/// How long one WebDriver command may take (navigation included).
const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a driver may take to answer `GET /status` after it starts.
const DRIVER_START_TIMEOUT: Duration = Duration::from_secs(30);

/// A browser engine the suite runs in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// Headless Chromium through `chromedriver` (Debian: `chromium-driver`).
    Chromium,
    /// Headless Firefox ESR through `geckodriver`
    /// (`cargo install geckodriver --locked`).
    Firefox,
    /// WebKitGTK's `MiniBrowser` through `WebKitWebDriver` (Debian:
    /// `webkit2gtk-driver`), under `Xvfb` (Debian: `xvfb`). WebKit, not
    /// Safari: Safari's own policies (ITP) are not covered.
    WebKit,
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Engine {
    pub const ALL: [Engine; 3] = [Engine::Chromium, Engine::Firefox, Engine::WebKit];

    pub fn name(self) -> &'static str {
        match self {
            Engine::Chromium => "chromium",
            Engine::Firefox => "firefox",
            Engine::WebKit => "webkit",
        }
    }

    /// The engine's cap on `Access-Control-Max-Age`, in seconds: Chromium
    /// 7200, Firefox 86400, WebKit 600 (its preflight result cache's
    /// maximum). Given to the browser model (`model::Browser::max_age_cap`):
    /// minutes or hours of real time are not waited out in a test.
    pub fn max_age_cap(self) -> u64 {
        match self {
            Engine::Chromium => 7200,
            Engine::Firefox => 86400,
            Engine::WebKit => 600,
        }
    }

    /// Whether [`Browser::take_console`] can read the console. WebKitGTK
    /// 2.50's WebKitWebDriver has no log command (`/se/log` is "unknown
    /// command") and no WebDriver BiDi (a session asking for `webSocketUrl`
    /// is refused: "Failed to match capabilities"), and MiniBrowser's
    /// `--enable-write-console-messages-to-stdout` is not applied to the web
    /// views automation creates (tried: nothing reaches its output), so the
    /// WebKit runs cannot see why a request was blocked, only that it was.
    pub fn has_console(self) -> bool {
        !matches!(self, Engine::WebKit)
    }

    /// The driver: `$CHROMEDRIVER` / `$GECKODRIVER`, else on `PATH`, else
    /// (geckodriver) in `~/.cargo/bin`, where `cargo install` puts it.
    fn driver(self) -> Result<PathBuf, String> {
        let (var, names, hint) = match self {
            Engine::Chromium => (
                "CHROMEDRIVER",
                &["chromedriver"][..],
                "apt-get install -y chromium-driver",
            ),
            Engine::Firefox => (
                "GECKODRIVER",
                &["geckodriver"][..],
                "cargo install geckodriver --locked",
            ),
            Engine::WebKit => (
                "WEBKITWEBDRIVER",
                &["WebKitWebDriver"][..],
                "apt-get install -y webkit2gtk-driver",
            ),
        };
        let mut extra = Vec::new();
        if let Some(home) = std::env::var_os("CARGO_HOME") {
            extra.push(PathBuf::from(home).join("bin"));
        }
        if let Some(home) = std::env::var_os("HOME") {
            extra.push(PathBuf::from(home).join(".cargo/bin"));
        }
        find_binary(var, names, &extra)
            .ok_or_else(|| format!("no {names:?} found (${var}, PATH, ~/.cargo/bin): {hint}"))
    }

    /// The browser: `$CHROMIUM_BIN` / `$FIREFOX_BIN`, else the first usual
    /// name on `PATH`.
    fn browser(self) -> Result<PathBuf, String> {
        let (var, names, hint) = match self {
            Engine::Chromium => (
                "CHROMIUM_BIN",
                &[
                    "chromium",
                    "chromium-browser",
                    "google-chrome-stable",
                    "google-chrome",
                ][..],
                "apt-get install -y chromium",
            ),
            Engine::Firefox => (
                "FIREFOX_BIN",
                &["firefox-esr", "firefox"][..],
                "apt-get install -y firefox-esr",
            ),
            Engine::WebKit => {
                return std::env::var_os("MINIBROWSER")
                    .map(PathBuf::from)
                    .or_else(find_minibrowser)
                    .ok_or_else(|| {
                        "no MiniBrowser found ($MINIBROWSER, or the webkit2gtk-4.x directory \
                         of a library directory such as Debian's /usr/lib/<multiarch>/): \
                         apt-get install -y webkit2gtk-driver (it brings libwebkit2gtk-4.1-0)"
                            .to_owned()
                    })
            }
        };
        find_binary(var, names, &[])
            .ok_or_else(|| format!("no {names:?} found (${var}, PATH): {hint}"))
    }

    fn driver_command(self, driver: &Path, port: u16, dir: &Path) -> Command {
        let mut command = Command::new(driver);
        match self {
            Engine::Chromium => {
                command
                    .arg(format!("--port={port}"))
                    .arg(format!("--log-path={}", dir.join("driver.log").display()));
            }
            Engine::Firefox => {
                command
                    .args(["--host", "127.0.0.1", "--port", &port.to_string()])
                    // Lets the session switch to Firefox's chrome context,
                    // the only place its console's CORS messages can be read
                    // (see `Browser::take_console`).
                    .arg("--allow-system-access")
                    // Firefox refuses to start headless without a display
                    // unless told so by the environment as well.
                    .env("MOZ_HEADLESS", "1")
                    .env("TMPDIR", dir);
            }
            // Listens on loopback only (`--host=local`, the default); the
            // browser it starts inherits `DISPLAY`, set by `Browser::start`.
            Engine::WebKit => {
                command.arg(format!("--port={port}")).env("TMPDIR", dir);
            }
        }
        command
    }

    /// The `POST /session` body.
    fn capabilities(self, browser: &Path, dir: &Path) -> Result<Value, String> {
        let always_match = match self {
            Engine::Chromium => {
                let profile = dir.join("profile");
                let default = profile.join("Default");
                std::fs::create_dir_all(&default)
                    .map_err(|e| format!("creating {default:?}: {e}"))?;
                // Headless Chromium blocks third-party cookies by default; the
                // page (localhost) and the API (127.0.0.1) are different
                // sites, so the session cookie is one. 0 = allow all cookies,
                // like a default desktop profile.
                std::fs::write(
                    default.join("Preferences"),
                    r#"{"profile":{"cookie_controls_mode":0}}"#,
                )
                .map_err(|e| format!("writing Preferences: {e}"))?;
                json!({
                    "browserName": "chrome",
                    "goog:chromeOptions": {
                        "binary": browser,
                        "args": [
                            "--headless",
                            "--no-sandbox",
                            "--disable-gpu",
                            "--disable-dev-shm-usage",
                            "--disable-quic",
                            "--no-first-run",
                            "--no-default-browser-check",
                            "--disable-background-networking",
                            "--disable-component-update",
                            "--disable-sync",
                            "--disable-extensions",
                            "--mute-audio",
                            format!("--user-data-dir={}", profile.display()),
                        ],
                    },
                    // The page's console, where Chromium explains CORS
                    // failures: read through `POST /session/{id}/se/log`.
                    "goog:loggingPrefs": { "browser": "ALL" },
                })
            }
            Engine::Firefox => json!({
                "browserName": "firefox",
                "moz:firefoxOptions": {
                    "binary": browser,
                    "args": ["-headless"],
                    "prefs": firefox_prefs(),
                    "log": { "level": "warn" },
                },
            }),
            // No cookie setting: WebKitGTK's default policy (no third-party
            // cookies) is the one Safari users have, and the suite asserts
            // what it does.
            Engine::WebKit => json!({
                "browserName": "MiniBrowser",
                "webkitgtk:browserOptions": {
                    "binary": browser,
                    "args": ["--automation"],
                },
            }),
        };
        let mut always_match = always_match;
        // The HTTPS shape's certificate is self-signed, made at test time.
        always_match["acceptInsecureCerts"] = json!(true);
        Ok(json!({ "capabilities": { "alwaysMatch": always_match } }))
    }
}

/// Preferences of the Firefox profile geckodriver creates for the session.
///
/// No cookie preference, on purpose: Firefox's defaults are what users have,
/// and they already let the suite's cross-site cookie through. Its default
/// `network.cookie.cookieBehavior` (5, Total Cookie Protection) does not
/// block the third-party cookie but stores it *partitioned* under the top
/// level site (the page's `localhost`), where every later call from that
/// page finds it; `Secure` cookies are accepted over `http://127.0.0.1`
/// (loopback is potentially trustworthy); `SameSite=None` without `Secure`
/// is rejected; `http://localhost` pages load as they are (HTTPS-First
/// leaves loopback alone). `tests/browser.rs` asserts each of these. Chromium
/// by contrast needs `cookie_controls_mode: 0` (see `Engine::capabilities`).
///
/// What is set keeps a machine without a network quiet: no updates,
/// telemetry, Safe Browsing, captive-portal or connectivity probes.
fn firefox_prefs() -> Value {
    json!({
        "app.update.auto": false,
        "app.update.enabled": false,
        "browser.safebrowsing.malware.enabled": false,
        "browser.safebrowsing.phishing.enabled": false,
        "browser.safebrowsing.downloads.enabled": false,
        "browser.safebrowsing.blockedURIs.enabled": false,
        "browser.shell.checkDefaultBrowser": false,
        "browser.startup.homepage_override.mstone": "ignore",
        "browser.newtabpage.enabled": false,
        "browser.region.update.enabled": false,
        "datareporting.healthreport.uploadEnabled": false,
        "datareporting.policy.dataSubmissionEnabled": false,
        "toolkit.telemetry.enabled": false,
        "toolkit.telemetry.unified": false,
        "extensions.update.enabled": false,
        "extensions.getAddons.cache.enabled": false,
        "network.captive-portal-service.enabled": false,
        "network.connectivity-service.enabled": false,
        "network.dns.disablePrefetch": true,
        "network.prefetch-next": false,
        "network.predictor.enabled": false,
        "services.settings.server": "http://127.0.0.1:9/",
    })
}

/// `$var`, or the first of `names` found in `PATH` or in `extra` directories.
fn find_binary(var: &str, names: &[&str], extra: &[PathBuf]) -> Option<PathBuf> {
    if let Some(bin) = std::env::var_os(var) {
        return Some(PathBuf::from(bin));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs: Vec<PathBuf> = std::env::split_paths(&path)
        .chain(extra.iter().cloned())
        .collect();
    names
        .iter()
        .flat_map(|name| dirs.iter().map(move |dir| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// WebKitGTK's `MiniBrowser`: not on `PATH` in Debian, but in the library
/// directory of the package (`/usr/lib/<multiarch>/webkit2gtk-4.1/`; other
/// distributions use `/usr/libexec/`). Searched, not assumed: every
/// `webkit2gtk-4.*` or `webkitgtk-6.*` directory under the usual library
/// roots and one level below them (the multiarch triplet).
fn find_minibrowser() -> Option<PathBuf> {
    let roots = ["/usr/lib", "/usr/lib64", "/usr/libexec", "/usr/local/lib"];
    let mut candidates = Vec::new();
    let webkit_dirs = |dir: &Path, out: &mut Vec<PathBuf>| {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with("webkit2gtk-4.") || name.starts_with("webkitgtk-6.") {
                out.push(entry.path().join("MiniBrowser"));
            }
        }
    };
    for root in roots.map(Path::new) {
        webkit_dirs(root, &mut candidates);
        if let Ok(entries) = std::fs::read_dir(root) {
            for entry in entries.flatten() {
                if entry.file_type().is_ok_and(|t| t.is_dir()) {
                    webkit_dirs(&entry.path(), &mut candidates);
                }
            }
        }
    }
    // The newest API version first (4.1 before 4.0).
    candidates.sort();
    candidates.into_iter().rev().find(|c| c.is_file())
}

/// An `Xvfb` server for the WebKit session, on a display number it picks
/// itself (`-displayfd`: the first free one), killed on drop.
struct Xvfb {
    child: Child,
    display: String,
}

impl Xvfb {
    fn start(dir: &Path) -> Result<Xvfb, String> {
        let bin = find_binary("XVFB", &["Xvfb"], &[])
            .ok_or("no Xvfb found ($XVFB, PATH): apt-get install -y xvfb")?;
        let log = std::fs::File::create(dir.join("xvfb.log"))
            .map_err(|e| format!("Xvfb log file: {e}"))?;
        let mut child = Command::new(&bin)
            // Writes the display number it chose to fd 1, then a newline.
            .args(["-displayfd", "1", "-nolisten", "tcp", "-screen", "0"])
            .arg("1280x1024x24")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .map_err(|e| format!("could not start {bin:?}: {e}"))?;
        let mut stdout = child.stdout.take().ok_or("Xvfb: no stdout")?;
        // Read until the newline; Xvfb keeps the pipe open afterwards.
        let mut number = Vec::new();
        let mut byte = [0u8; 1];
        while number.len() < 8 {
            match stdout.read(&mut byte) {
                Ok(1) if byte[0] == b'\n' => break,
                Ok(1) => number.push(byte[0]),
                _ => break,
            }
        }
        let number = String::from_utf8_lossy(&number).trim().to_owned();
        if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
            let _ = child.kill();
            let _ = child.wait();
            let log = std::fs::read_to_string(dir.join("xvfb.log")).unwrap_or_default();
            return Err(format!("Xvfb did not report a display number: {log}"));
        }
        Ok(Xvfb {
            child,
            display: format!(":{number}"),
        })
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A WebDriver session in one engine, with the driver process it talks to.
pub struct Browser {
    pub engine: Engine,
    /// `browserName browserVersion` from the new session's capabilities.
    pub version: String,
    runtime: Runtime,
    driver: Child,
    port: u16,
    session: Option<String>,
    /// Scratch space: Chromium's profile, the drivers' logs and temp files.
    dir: PathBuf,
    /// WebKit's X server; dropped after the driver (field order).
    xvfb: Option<Xvfb>,
}

impl Browser {
    /// Starts the engine's driver on a free loopback port and opens a
    /// session with a fresh profile.
    pub fn start(engine: Engine) -> Result<Browser, String> {
        let driver_bin = engine.driver()?;
        let browser_bin = engine.browser()?;
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir = std::env::temp_dir().join(format!(
            "strict-cors-{}-{}-{nanos}",
            engine.name(),
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).map_err(|e| format!("creating {dir:?}: {e}"))?;
        let port = free_port().map_err(|e| format!("no free loopback port: {e}"))?;
        let stderr = std::fs::File::create(dir.join("driver.stderr"))
            .map_err(|e| format!("driver stderr file: {e}"))?;
        let stdout = stderr
            .try_clone()
            .map_err(|e| format!("driver stdout file: {e}"))?;
        let xvfb = match engine {
            Engine::WebKit => Some(Xvfb::start(&dir)?),
            Engine::Chromium | Engine::Firefox => None,
        };
        let mut command = engine.driver_command(&driver_bin, port, &dir);
        if let Some(x) = &xvfb {
            command.env("DISPLAY", &x.display);
        }
        let driver = command
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr)
            .spawn()
            .map_err(|e| format!("could not start {driver_bin:?}: {e}"))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("tokio runtime: {e}"))?;
        let mut browser = Browser {
            engine,
            version: String::new(),
            runtime,
            driver,
            port,
            session: None,
            dir,
            xvfb,
        };
        browser.wait_for_driver()?;
        let capabilities = engine.capabilities(&browser_bin, &browser.dir)?;
        let created = browser
            .command(Method::POST, "/session", Some(capabilities))
            .map_err(|e| browser.with_driver_log(format!("new {engine} session: {e}")))?;
        let id = created["sessionId"]
            .as_str()
            .ok_or_else(|| format!("new {engine} session: no sessionId in {created}"))?;
        browser.session = Some(id.to_owned());
        let caps = &created["capabilities"];
        browser.version = format!(
            "{} {}",
            caps["browserName"].as_str().unwrap_or(engine.name()),
            caps["browserVersion"].as_str().unwrap_or("?")
        );
        // Long enough for the differential test's batches.
        let timeouts = browser.session_path("/timeouts")?;
        browser.command(Method::POST, &timeouts, Some(json!({ "script": 120_000 })))?;
        Ok(browser)
    }

    fn wait_for_driver(&mut self) -> Result<(), String> {
        let started = Instant::now();
        loop {
            if let Ok(status) = self.command(Method::GET, "/status", None) {
                if status["ready"].as_bool() == Some(true) {
                    return Ok(());
                }
            }
            if let Ok(Some(exit)) = self.driver.try_wait() {
                return Err(self.with_driver_log(format!(
                    "{} driver exited with {exit} before it was ready",
                    self.engine
                )));
            }
            if started.elapsed() > DRIVER_START_TIMEOUT {
                return Err(self.with_driver_log(format!(
                    "{} driver not ready within {DRIVER_START_TIMEOUT:?}",
                    self.engine
                )));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// `message` followed by the tail of the driver's own output.
    pub fn with_driver_log(&self, message: String) -> String {
        let mut log = String::new();
        for name in ["driver.stderr", "driver.log"] {
            if let Ok(text) = std::fs::read_to_string(self.dir.join(name)) {
                let lines: Vec<&str> = text.lines().collect();
                let tail = lines[lines.len().saturating_sub(30)..].join("\n");
                log.push_str(&format!("\n{name} (tail):\n{tail}"));
            }
        }
        format!("{message}{log}")
    }

    fn session_path(&self, rest: &str) -> Result<String, String> {
        let id = self.session.as_deref().ok_or("no session")?;
        Ok(format!("/session/{id}{rest}"))
    }

    /// Navigates the session's window to `url` and waits for it to load.
    pub fn goto(&self, url: &str) -> Result<(), String> {
        let path = self.session_path("/url")?;
        self.command(Method::POST, &path, Some(json!({ "url": url })))
            .map(drop)
    }

    /// Runs `script` (a function body) in the page and returns its value.
    pub fn execute(&self, script: &str) -> Result<Value, String> {
        let path = self.session_path("/execute/sync")?;
        self.command(
            Method::POST,
            &path,
            Some(json!({ "script": script, "args": [] })),
        )
    }

    /// Runs `script` (a function body whose last argument is the callback
    /// that ends it) with `args`, and returns what it passed the callback.
    pub fn execute_async(&self, script: &str, args: Value) -> Result<Value, String> {
        let path = self.session_path("/execute/async")?;
        self.command(
            Method::POST,
            &path,
            Some(json!({ "script": script, "args": args })),
        )
    }

    /// Runs `script` every 100 ms until it returns something other than
    /// `null`, for at most `timeout`. On timeout, the error carries what
    /// `on_timeout` (another script) returns then.
    pub fn wait_for(
        &self,
        script: &str,
        timeout: Duration,
        on_timeout: &str,
    ) -> Result<Value, String> {
        let started = Instant::now();
        loop {
            let value = self.execute(script)?;
            if !value.is_null() {
                return Ok(value);
            }
            if started.elapsed() > timeout {
                let seen = self.execute(on_timeout).unwrap_or_else(Value::String);
                return Err(format!("not done within {timeout:?}; so far: {seen}"));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The browser console's messages since the last call (and forgets
    /// them): where each engine explains a failed CORS check, which a script
    /// only sees as a bare `TypeError`.
    ///
    /// - Chromium: chromedriver's `browser` log (`goog:loggingPrefs`).
    /// - Firefox: WebDriver has no log endpoint in geckodriver, and Firefox
    ///   reports CORS failures to its console service, not to the page. The
    ///   session switches to the chrome (browser UI) context, which
    ///   `--allow-system-access` permits, and reads
    ///   `Services.console` there.
    /// - WebKit: not exposed (see [`Engine::has_console`]); always empty.
    pub fn take_console(&self) -> Result<Vec<String>, String> {
        match self.engine {
            Engine::WebKit => Ok(Vec::new()),
            Engine::Chromium => {
                let path = self.session_path("/se/log")?;
                let entries =
                    self.command(Method::POST, &path, Some(json!({ "type": "browser" })))?;
                Ok(entries
                    .as_array()
                    .map(|entries| {
                        entries
                            .iter()
                            .filter_map(|e| e["message"].as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default())
            }
            Engine::Firefox => {
                let context = self.session_path("/moz/context")?;
                self.command(Method::POST, &context, Some(json!({ "context": "chrome" })))?;
                let messages = self.execute(
                    "const out = Services.console.getMessageArray().map((m) =>
                       m instanceof Ci.nsIScriptError
                         ? `[${m.category}] ${m.errorMessage}`
                         : m.message);
                     Services.console.reset();
                     return out;",
                );
                self.command(
                    Method::POST,
                    &context,
                    Some(json!({ "context": "content" })),
                )?;
                Ok(messages?
                    .as_array()
                    .map(|all| {
                        all.iter()
                            .filter_map(|m| m.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default())
            }
        }
    }

    /// One WebDriver command: the `value` of a successful answer, or the
    /// driver's `error: message`.
    fn command(&self, method: Method, path: &str, body: Option<Value>) -> Result<Value, String> {
        let port = self.port;
        let what = format!("{method} {path}");
        let request = async move {
            let stream = TcpStream::connect((Ipv4Addr::LOCALHOST, port))
                .await
                .map_err(|e| e.to_string())?;
            let (mut sender, connection) =
                hyper::client::conn::http1::handshake(TokioIo::new(stream))
                    .await
                    .map_err(|e| e.to_string())?;
            tokio::spawn(connection);
            let body = body.map_or_else(Bytes::new, |b| Bytes::from(b.to_string()));
            let request = Request::builder()
                .method(method)
                .uri(path)
                .header("host", format!("127.0.0.1:{port}"))
                .header("content-type", "application/json; charset=utf-8")
                .body(Full::new(body))
                .map_err(|e| e.to_string())?;
            let response = sender
                .send_request(request)
                .await
                .map_err(|e| e.to_string())?;
            let status = response.status();
            let bytes = response
                .into_body()
                .collect()
                .await
                .map_err(|e| e.to_string())?
                .to_bytes();
            Ok::<_, String>((status, bytes))
        };
        let (status, bytes) = self
            .runtime
            .block_on(async { tokio::time::timeout(COMMAND_TIMEOUT, request).await })
            .map_err(|_| format!("{what}: no answer within {COMMAND_TIMEOUT:?}"))?
            .map_err(|e| format!("{what}: {e}"))?;
        let json: Value = serde_json::from_slice(&bytes).map_err(|e| {
            format!(
                "{what}: {status}, not JSON ({e}): {}",
                String::from_utf8_lossy(&bytes)
            )
        })?;
        let value = json.get("value").cloned().unwrap_or(Value::Null);
        if status.is_success() {
            Ok(value)
        } else {
            Err(format!(
                "{what}: {status}: {}: {}",
                value["error"].as_str().unwrap_or("?"),
                value["message"].as_str().unwrap_or("")
            ))
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Ok(path) = self.session_path("") {
            // Ends the browser too; best effort, the kill below is the backstop.
            let _ = self.command(Method::DELETE, &path, None);
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        // After the driver, whose browser draws on it.
        self.xvfb.take();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A port nobody listens on right now (the driver binds it a moment later).
fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?
        .local_addr()?
        .port())
}
