//! Real-browser tests, in two engines: headless Chromium and headless Firefox
//! ESR load the credentialed demo's page (`examples/credentialed/page.html`,
//! served by the demo's own routers) and call the demo API on another site,
//! with cookies and `Authorization`.
//!
//! ```text
//! cargo test --test browser -- --ignored
//! ```
//!
//! Needs, for Chromium, `chromium` and `chromedriver` (Debian:
//! `chromium chromium-driver`); for Firefox, `firefox-esr` and `geckodriver`
//! (`cargo install geckodriver --locked`). `CHROMIUM_BIN`, `CHROMEDRIVER`,
//! `FIREFOX_BIN` and `GECKODRIVER` override where they are looked for.
//!
//! How it works: both engines are driven through W3C WebDriver by the small
//! client in `tests/support/webdriver.rs`, so each scenario below is written
//! once and becomes one test per engine (`<scenario>::chromium`,
//! `<scenario>::firefox`). Per engine, one browser session with a fresh
//! profile loads the page twice:
//!
//! - `http://localhost:<r>/?suite=foreign`: a page origin the API refuses
//!   (it differs from the allowed one by port alone);
//! - `http://localhost:<q>/?suite=1`: the one allowed origin; every scenario.
//!
//! Each load gets its own API on `127.0.0.1:<p>` and page servers, in-process
//! on ephemeral loopback ports, so the API's counters (`GET /_stats`:
//! `OPTIONS` requests seen outside the CORS layer, requests that reached the
//! app inside it) belong to that load alone. The page script writes one
//! `<li id="step-…" data-result="pass|fail">` per step and a final
//! `<p id="finished">`; the test polls for the marker (bounded) and reads
//! the steps back with a script. The console, where the browser explains
//! why a CORS check failed (the script only sees a `TypeError`), is read
//! after each load.
//!
//! The two engines run in parallel (the test harness starts a scenario's
//! `chromium` and `firefox` tests together), each about 10 s, 6 of which are
//! the `max_age` scenario waiting out the browsers' default 5 s preflight
//! cache. Where the engines differ, the scenario says so in an explicit
//! `match` on the engine, with the reason.

#[path = "../examples/credentialed/app.rs"]
mod app;
#[path = "support/webdriver.rs"]
mod webdriver;

use std::future::IntoFuture;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::net::TcpListener;
use tokio::runtime::Runtime;
use webdriver::{Browser, Engine};

/// How long the page may take to write its end marker after loading.
const PAGE_TIMEOUT: Duration = Duration::from_secs(60);

/// Reads the page's steps once the end marker exists; `null` before.
const READ_STEPS: &str = r#"
const done = document.getElementById('finished');
if (!done) return null;
return {
  failed: Number(done.dataset.failed),
  steps: [...document.querySelectorAll('li[id^="step-"]')].map((li) => ({
    id: li.id.slice('step-'.length),
    result: li.dataset.result,
    text: li.textContent,
  })),
};"#;

/// Firefox's second console message for a request whose preflight failed.
const FIREFOX_NOT_SENT: &str = "(Reason: CORS request did not succeed)";

/// The steps so far, for a page that did not finish in time.
const STEPS_SO_FAR: &str = r#"
return [...document.querySelectorAll('li[id^="step-"]')].map((li) => li.textContent);"#;

/// One step the page ran.
struct Step {
    id: String,
    result: String,
    text: String,
}

/// What one page load left behind.
struct Run {
    engine: Engine,
    label: &'static str,
    url: String,
    steps: Vec<Step>,
    /// `data-failed` of the end marker.
    failed: u64,
    /// The API's `/_stats` after the page finished.
    stats: Value,
    /// The browser console's messages during this load.
    console: Vec<String>,
}

/// Both loads in one engine.
struct Suite {
    engine: Engine,
    /// Name and version the driver reported.
    version: String,
    /// The page on the allowed origin, `?suite=1`.
    allowed: Run,
    /// The page on an origin outside the allowlist, `?suite=foreign`.
    foreign: Run,
}

static SUITES: [OnceLock<Result<Suite, String>>; 2] = [OnceLock::new(), OnceLock::new()];

/// Runs `engine`'s session the first time one of its tests asks.
fn suite(engine: Engine) -> &'static Suite {
    let index = Engine::ALL.iter().position(|e| *e == engine).unwrap_or(0);
    match SUITES[index].get_or_init(|| run_suite(engine)) {
        Ok(suite) => suite,
        Err(e) => panic!("the {engine} browser suite could not run:\n{e}"),
    }
}

/// The tokio runtime the demo's servers run on, shared by both engines.
fn servers() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("tokio runtime for the demo's servers")
    })
}

fn run_suite(engine: Engine) -> Result<Suite, String> {
    let started = Instant::now();
    let browser = Browser::start(engine)?;
    let session_started = started.elapsed();
    // Whatever the browser logged while starting is not the page's.
    browser.take_console()?;
    // The refused origin first: the allowed run then starts with an empty
    // cookie jar, as in a fresh profile (a refused response stores nothing).
    let foreign = run_page(&browser, "disallowed origin", true)?;
    let allowed = run_page(&browser, "allowed origin", false)?;
    let passed = |run: &Run| run.steps.iter().filter(|s| s.result == "pass").count();
    // Shown with `--show-output`: the numbers behind the README's matrix.
    eprintln!(
        "browser matrix: {engine}: {}: {}/{} steps on ?suite=1, {}/{} on ?suite=foreign; \
         session start {session_started:.1?}, total {:.1?}",
        browser.version,
        passed(&allowed),
        allowed.steps.len(),
        passed(&foreign),
        foreign.steps.len(),
        started.elapsed()
    );
    Ok(Suite {
        engine,
        version: browser.version.clone(),
        allowed,
        foreign,
    })
}

/// Starts fresh servers, loads the page, collects the steps, the console and
/// the API's counters.
fn run_page(browser: &Browser, label: &'static str, foreign: bool) -> Result<Run, String> {
    let (api_port, page_port, foreign_port, tasks) = servers().block_on(async {
        let bind = || TcpListener::bind("127.0.0.1:0");
        let (api, page, other) = (bind().await, bind().await, bind().await);
        let (api, page, other) = (
            api.map_err(|e| e.to_string())?,
            page.map_err(|e| e.to_string())?,
            other.map_err(|e| e.to_string())?,
        );
        let port = |l: &TcpListener| l.local_addr().map(|a| a.port());
        let (api_port, page_port, foreign_port) = (
            port(&api).map_err(|e| e.to_string())?,
            port(&page).map_err(|e| e.to_string())?,
            port(&other).map_err(|e| e.to_string())?,
        );
        // Only `http://localhost:<page_port>` is allowed. The same page from
        // `http://localhost:<foreign_port>` differs by port alone: another
        // origin, which exact matching must refuse.
        let router = app::api_router(&format!("http://localhost:{page_port}"))
            .map_err(|e| format!("the demo's CORS configuration does not build: {e}"))?;
        let page_router = app::page_router(&format!("http://127.0.0.1:{api_port}"));
        let tasks = vec![
            tokio::spawn(axum::serve(api, router).into_future()),
            tokio::spawn(axum::serve(page, page_router.clone()).into_future()),
            tokio::spawn(axum::serve(other, page_router).into_future()),
        ];
        Ok::<_, String>((api_port, page_port, foreign_port, tasks))
    })?;

    let url = if foreign {
        format!("http://localhost:{foreign_port}/?suite=foreign")
    } else {
        format!("http://localhost:{page_port}/?suite=1")
    };
    let outcome = load(browser, &url);
    // The page has finished: nothing else talks to these servers now.
    let stats = get(api_port, "/_stats");
    for task in tasks {
        task.abort();
    }
    let fail =
        |e: String| browser.with_driver_log(format!("{} {label} run ({url}): {e}", browser.engine));
    let (failed, steps, console) = outcome.map_err(fail)?;
    let stats = stats.map_err(fail)?;
    let stats = serde_json::from_str(&stats).map_err(|e| fail(format!("/_stats: {e}")))?;
    Ok(Run {
        engine: browser.engine,
        label,
        url,
        steps,
        failed,
        stats,
        console,
    })
}

fn load(browser: &Browser, url: &str) -> Result<(u64, Vec<Step>, Vec<String>), String> {
    browser.goto(url)?;
    let page = browser.wait_for(READ_STEPS, PAGE_TIMEOUT, STEPS_SO_FAR);
    let console = browser.take_console()?;
    let page = page.map_err(|e| format!("{e}\nconsole:\n{}", console.join("\n")))?;
    let failed = page["failed"].as_u64().unwrap_or(u64::MAX);
    let steps = page["steps"]
        .as_array()
        .map(|steps| {
            steps
                .iter()
                .map(|s| Step {
                    id: s["id"].as_str().unwrap_or_default().to_owned(),
                    result: s["result"].as_str().unwrap_or_default().to_owned(),
                    text: s["text"].as_str().unwrap_or_default().to_owned(),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok((failed, steps, console))
}

/// A plain HTTP/1.1 GET on loopback, without `Origin`: not a CORS request.
fn get(port: u16, path: &str) -> Result<String, String> {
    let fail = |e: std::io::Error| format!("GET {path} on 127.0.0.1:{port}: {e}");
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(fail)?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(fail)?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .map_err(fail)?;
    let mut response = String::new();
    stream.read_to_string(&mut response).map_err(fail)?;
    let (head, body) = response
        .split_once("\r\n\r\n")
        .ok_or_else(|| format!("GET {path}: malformed response {response:?}"))?;
    if !head.starts_with("HTTP/1.1 200") {
        return Err(format!("GET {path}: {head}"));
    }
    Ok(body.to_owned())
}

impl Run {
    fn summary(&self) -> String {
        if self.steps.is_empty() {
            return "  (none)".to_owned();
        }
        self.steps
            .iter()
            .map(|s| format!("  {}", s.text))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Asserts that the page's step `id` ran and passed.
    fn assert_step(&self, id: &str) {
        let Some(step) = self.steps.iter().find(|s| s.id == id) else {
            panic!(
                "{} {} run ({}): no step {id:?} on the page\nsteps:\n{}",
                self.engine,
                self.label,
                self.url,
                self.summary()
            );
        };
        assert_eq!(
            step.result,
            "pass",
            "{} {} run ({}): step {id:?} did not pass: {}\nall steps:\n{}\n\
             console (the browser logs the reason for a CORS failure here):\n{}",
            self.engine,
            self.label,
            self.url,
            step.text,
            self.summary(),
            self.console.join("\n")
        );
    }

    /// The console's CORS failure messages, one per blocked request.
    ///
    /// Engines word them differently. Chromium: `Access to fetch at '…' from
    /// origin '…' has been blocked by CORS policy: <reason>`. Firefox:
    /// `Cross-Origin Request Blocked: The Same Origin Policy disallows
    /// reading the remote resource at …. (Reason: <reason>). Status code:
    /// <status>.`, which never names the requesting origin, and, when a
    /// preflight failed, a second message for the request that was then
    /// never sent (see [`Run::firefox_not_sent`]), left out here.
    fn cors_errors(&self) -> Vec<&str> {
        self.console
            .iter()
            .filter(|m| match self.engine {
                Engine::Chromium => m.contains("blocked by CORS policy"),
                Engine::Firefox => {
                    m.contains("Cross-Origin Request Blocked") && !m.contains(FIREFOX_NOT_SENT)
                }
            })
            .map(String::as_str)
            .collect()
    }

    /// Firefox's follow-up messages for requests whose preflight failed.
    fn firefox_not_sent(&self) -> usize {
        self.console
            .iter()
            .filter(|m| m.contains(FIREFOX_NOT_SENT))
            .count()
    }

    /// Console messages containing `text`.
    fn console_with(&self, text: &str) -> Vec<&str> {
        self.console
            .iter()
            .filter(|m| m.contains(text))
            .map(String::as_str)
            .collect()
    }

    /// A counter from the API's `/_stats`: `kind` is `options` (by path) or
    /// `handled` (by `METHOD path`); absent means 0.
    fn stat(&self, kind: &str, key: &str) -> u64 {
        assert!(
            self.stats[kind].is_object(),
            "no {kind:?} in /_stats: {}",
            self.stats
        );
        self.stats[kind][key].as_u64().unwrap_or(0)
    }
}

/// One test per engine for each scenario: `<scenario>::chromium` and
/// `<scenario>::firefox`, both running the same body on that engine's
/// [`Suite`].
macro_rules! scenarios {
    ($($(#[doc = $doc:literal])* fn $name:ident($suite:ident) $body:block)*) => {$(
        $(#[doc = $doc])*
        mod $name {
            use super::*;

            fn scenario($suite: &Suite) $body

            #[test]
            #[ignore = "needs chromium + chromedriver: cargo test --test browser -- --ignored"]
            fn chromium() {
                scenario(suite(Engine::Chromium));
            }

            #[test]
            #[ignore = "needs firefox-esr + geckodriver: cargo test --test browser -- --ignored"]
            fn firefox() {
                scenario(suite(Engine::Firefox));
            }
        }
    )*};
}

/// The step of the allowed page that Firefox fails: see the `max_age`
/// scenario.
const FIREFOX_FAILS: &str = "max-age";

scenarios! {
    /// Every step passes (Firefox: all but `max-age`, see that scenario), the
    /// page finishes, and the only CORS failures are the ones the pages
    /// provoke on purpose.
    fn every_step_of_the_page_passes_and_the_page_finishes(suite) {
        let expected_failures = match suite.engine {
            Engine::Chromium => vec![],
            Engine::Firefox => vec![FIREFOX_FAILS],
        };
        for run in [&suite.allowed, &suite.foreign] {
            let failed: Vec<&str> = run
                .steps
                .iter()
                .filter(|s| s.result != "pass")
                .map(|s| s.id.as_str())
                .collect();
            let expected = if run.label == "allowed origin" {
                &expected_failures[..]
            } else {
                &[]
            };
            assert!(
                failed == expected && run.failed == expected.len() as u64,
                "{} ({}) {} run ({}): failed steps {failed:?}, expected {expected:?}:\n{}\n\
                 console:\n{}",
                suite.engine,
                suite.version,
                run.label,
                run.url,
                run.summary(),
                run.console.join("\n")
            );
        }
        assert_eq!(suite.allowed.steps.len(), 11, "steps on ?suite=1");
        assert_eq!(suite.foreign.steps.len(), 2, "steps on ?suite=foreign");
        let errors = suite.allowed.cors_errors();
        assert_eq!(errors.len(), 2, "CORS failures on ?suite=1: {errors:#?}");
    }

    /// POST /login with credentials: 'include' stored the `SameSite=None;
    /// Secure` cookie from 127.0.0.1 (a secure context over plain http), and
    /// GET /me sent it from the localhost page and read the answer.
    fn cookie_login_then_the_session_cookie_is_sent_cross_site_and_the_response_read(suite) {
        let run = &suite.allowed;
        run.assert_step("login");
        run.assert_step("me-cookie");
        assert_eq!(run.stat("handled", "POST /login"), 1);
        match run.engine {
            // Allowed because the profile sets `cookie_controls_mode: 0`:
            // headless Chromium blocks third-party cookies otherwise.
            Engine::Chromium => {}
            // Allowed by Firefox's defaults: Total Cookie Protection stores
            // the cookie partitioned under the page's site (`localhost`), so
            // this page's later calls send it. Firefox warns that such
            // unpartitioned foreign cookies "will soon be rejected": a
            // cross-site session cookie wants the `Partitioned` attribute
            // (CHIPS) to keep working there.
            Engine::Firefox => {
                let warned = run.console_with("Cookie “session” will soon be rejected");
                assert!(
                    warned.len() == 1 && warned[0].contains("Partitioned"),
                    "Firefox's CHIPS warning for the session cookie: {:#?}",
                    run.console
                );
            }
        }
    }

    /// x-request-id (in expose_headers) is readable; x-internal reads as null.
    fn preflighted_put_with_authorization_and_json_succeeds_and_only_exposed_headers_are_readable(
        suite
    ) {
        let run = &suite.allowed;
        run.assert_step("put-bearer");
        run.assert_step("exposed-header");
        assert!(
            run.stat("options", "/me") >= 1,
            "the PUT should have been preflighted: {}",
            run.stats
        );
        assert_eq!(run.stat("handled", "PUT /me"), 1, "{}", run.stats);
    }

    fn app_401_and_500_are_readable_by_the_allowed_origin(suite) {
        let run = &suite.allowed;
        run.assert_step("status-401");
        run.assert_step("status-500");
    }

    /// The TypeErrors were CORS refusals, not network errors: the console
    /// says so, in each engine's words.
    fn disallowed_origin_is_blocked_and_its_preflighted_request_never_reaches_the_handler(suite) {
        let run = &suite.foreign;
        run.assert_step("foreign-put");
        run.assert_step("foreign-get");
        let errors = run.cors_errors();
        assert_eq!(errors.len(), 2, "{errors:#?}");
        match run.engine {
            Engine::Chromium => {
                let origin = run.url.split("/?").next().unwrap_or_default();
                assert!(
                    errors
                        .iter()
                        .all(|e| e.contains(&format!("from origin '{origin}'"))),
                    "{errors:#?}"
                );
                assert!(
                    errors[0].contains("Response to preflight request"),
                    "the PUT should have failed at its preflight: {errors:#?}"
                );
            }
            // Firefox names neither the origin nor the preflight, but gives
            // the status: the layer's 403 refusing the preflight, then the
            // app's own 401 for the GET (sent, answered, hidden from the
            // script), both without `Access-Control-Allow-Origin`. The PUT
            // gets the extra "did not succeed" message: it was never sent.
            Engine::Firefox => {
                assert!(
                    errors
                        .iter()
                        .all(|e| e.contains("‘Access-Control-Allow-Origin’ missing")),
                    "{errors:#?}"
                );
                assert!(
                    errors[0].contains("Status code: 403"),
                    "the PUT should have failed at its preflight: {errors:#?}"
                );
                assert!(
                    errors[1].contains("Status code: 401"),
                    "the GET should have reached the app: {errors:#?}"
                );
                assert_eq!(run.firefox_not_sent(), 1, "{:#?}", run.console);
            }
        }
        assert!(
            run.stat("options", "/me") >= 1,
            "the refused preflight should have reached the server: {}",
            run.stats
        );
        assert_eq!(
            run.stat("handled", "PUT /me"),
            0,
            "the PUT /me handler ran for a disallowed origin: {}",
            run.stats
        );
        // CORS decides who may read, not who may send: the simple GET did
        // reach the app, and the browser hid the response from the script.
        assert_eq!(run.stat("handled", "GET /me"), 1, "{}", run.stats);
    }

    /// The page compares /_stats before and after each blocked call: one
    /// refused OPTIONS, no handler run.
    fn header_and_method_outside_the_allowlist_are_blocked_before_the_handler(suite) {
        let run = &suite.allowed;
        run.assert_step("blocked-header");
        run.assert_step("blocked-method");
        let errors = run.cors_errors();
        assert_eq!(errors.len(), 2, "{errors:#?}");
        match run.engine {
            Engine::Chromium => assert!(
                errors
                    .iter()
                    .all(|e| e.contains("Response to preflight request")),
                "both should have failed at their preflight: {errors:#?}"
            ),
            // Firefox reports the layer's 403 (the refused preflight), then
            // that the request itself never went out.
            Engine::Firefox => {
                assert!(
                    errors.iter().all(|e| e.contains("Status code: 403")),
                    "both should have failed at their preflight: {errors:#?}"
                );
                assert_eq!(run.firefox_not_sent(), 2, "{:#?}", run.console);
            }
        }
        assert_eq!(run.stat("handled", "DELETE /me"), 0, "{}", run.stats);
        // Only the allowed PUT of the put-bearer step ran.
        assert_eq!(run.stat("handled", "PUT /me"), 1, "{}", run.stats);
    }

    /// `max_age(600)` is under both engines' caps (Chromium 7200 s, Firefox
    /// 86400 s). The caps themselves would take hours of real time to see:
    /// the browser model (`tests/support/model.rs`) covers them.
    ///
    /// Chromium reuses the first preflight 6 s later, past the 5 s default.
    ///
    /// Firefox (ESR 153) does not, in this suite: in a fresh profile it does
    /// not reuse the results of its first few preflights at all, whatever
    /// their `Access-Control-Max-Age`, and `PUT /cached` is this page's
    /// fourth preflight. Measured by hand with the same demo: the first
    /// three or four preflights of a session are each repeated even 300 ms
    /// later, every later one is cached for its max-age; time since start or
    /// since page load does not change it, nor do the cookie or
    /// speculative-connection preferences. So the step fails in Firefox with
    /// two `OPTIONS`, asserted here: a Firefox that caches from the first
    /// preflight fails this test, and then the difference can go.
    fn max_age_lets_two_identical_preflighted_requests_share_one_options(suite) {
        let run = &suite.allowed;
        assert_eq!(run.stat("handled", "PUT /cached"), 2, "{}", run.stats);
        match run.engine {
            Engine::Chromium => {
                run.assert_step("max-age");
                assert_eq!(run.stat("options", "/cached"), 1, "{}", run.stats);
            }
            Engine::Firefox => {
                let step = run.steps.iter().find(|s| s.id == FIREFOX_FAILS);
                let text = step.map_or("(no step)", |s| s.text.as_str());
                assert!(
                    text.contains("2 OPTIONS /cached reached the server, expected 1"),
                    "Firefox's max-age step: {text}"
                );
                assert_eq!(run.stat("options", "/cached"), 2, "{}", run.stats);
            }
        }
    }

    fn handler_set_allow_origin_inside_the_layer_does_not_break_the_browser(suite) {
        let run = &suite.allowed;
        run.assert_step("handler-acao");
        assert_eq!(
            run.stat("handled", "GET /handler-sets-acao"),
            1,
            "{}",
            run.stats
        );
    }

    /// The trap: browsers reject a `SameSite=None` cookie without `Secure`
    /// outright. Nothing fails visibly: the response is read fine, and the
    /// cookie is simply never sent back, so the session "doesn't stick".
    /// Always pair `SameSite=None` with `Secure` (loopback http counts as
    /// secure).
    fn samesite_none_cookie_without_secure_is_dropped_by_the_browser(suite) {
        let run = &suite.allowed;
        run.assert_step("cookie-trap");
        assert_eq!(run.stat("handled", "GET /cookie-echo"), 1, "{}", run.stats);
        // Both engines drop it; Firefox also says why, in the console.
        if run.engine == Engine::Firefox {
            let rejected = run.console_with("Cookie “without_secure” rejected");
            assert_eq!(rejected.len(), 1, "{:#?}", run.console);
        }
    }
}
