//! A small harness over fantoccini: starts tauri-driver on free ports with the
//! workspace folder in the environment, launches the app through WebDriver, and gives
//! the test a vocabulary of user actions.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use fantoccini::{Client, ClientBuilder, Locator};

const WAIT: Duration = Duration::from_secs(20);

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// The app under test: `CLOSER_APP_BIN`, else `target/debug/closer`.
pub fn app_binary() -> PathBuf {
    std::env::var_os("CLOSER_APP_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/debug/closer"))
}

pub fn screenshot_dir() -> PathBuf {
    workspace_root().join("target/e2e-screenshots")
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

pub struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    #[allow(dead_code)] // kept for tests that need no extra environment
    pub fn start(data_dir: &Path) -> Result<Driver> {
        Driver::start_with(data_dir, &[])
    }

    /// Starts tauri-driver with extra environment for the app (e.g. the Claude base URL).
    pub fn start_with(data_dir: &Path, env: &[(&str, &str)]) -> Result<Driver> {
        if std::env::var_os("DISPLAY").is_none() {
            bail!("no DISPLAY: run under xvfb-run (scripts/test.sh does)");
        }
        let bin = app_binary();
        if !bin.exists() {
            bail!(
                "{} is missing: build it with `cargo build -p closer-app --bin closer`",
                bin.display()
            );
        }
        let port = free_port()?;
        let native_port = free_port()?;
        let child = Command::new("tauri-driver")
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .env("CLOSER_DATA_DIR", data_dir)
            .env(
                "CLOSER_KEYRING_SERVICE",
                format!("closer-e2e-{}", std::process::id()),
            )
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            // Its own process group, so dropping the driver also ends the WebKitWebDriver
            // it starts (killing tauri-driver alone leaves that one running).
            .process_group(0)
            .spawn()
            .context("starting tauri-driver (cargo install tauri-driver --locked)")?;
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if started.elapsed() > WAIT {
                bail!("tauri-driver did not listen on port {port}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(Driver { child, port })
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
        kill_app_processes();
    }
}

/// Pids of running processes whose executable is the app under test.
fn app_pids() -> Vec<u32> {
    let Ok(target) = app_binary().canonicalize() else {
        return Vec::new();
    };
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_link(format!("/proc/{pid}/exe"))
                .map(|exe| exe == target)
                .unwrap_or(false)
        })
        .collect()
}

fn kill_app_processes() {
    for pid in app_pids() {
        let _ = Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status();
    }
}

pub struct App {
    client: Client,
}

impl App {
    pub async fn launch(driver: &Driver) -> Result<App> {
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), "wry".into());
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": app_binary() }),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", driver.port))
            .await
            .context("WebDriver session (is WebKitWebDriver installed?)")?;
        Ok(App { client })
    }

    pub async fn wait_ready(&self) -> Result<()> {
        self.wait_for("[data-ready=true]").await
    }

    pub async fn wait_for(&self, css: &str) -> Result<()> {
        self.client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
            .with_context(|| format!("waiting for {css}"))?;
        Ok(())
    }

    pub async fn wait_for_text(&self, css: &str, text: &str) -> Result<()> {
        let started = Instant::now();
        loop {
            // A list re-rendering between the find and the read gives a stale element:
            // that is "not yet", not a failure.
            let found = self
                .client
                .find_all(Locator::Css(css))
                .await
                .unwrap_or_default();
            for el in found {
                if el.text().await.map(|t| t.contains(text)).unwrap_or(false) {
                    return Ok(());
                }
            }
            if started.elapsed() > WAIT {
                bail!("no {css} showing {text:?}");
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    pub async fn click(&self, css: &str) -> Result<()> {
        self.wait_for(css).await?;
        let el = self.client.find(Locator::Css(css)).await?;
        click_element(el)
            .await
            .with_context(|| format!("clicking {css}"))
    }

    pub async fn click_text(&self, css: &str, text: &str) -> Result<()> {
        self.wait_for_text(css, text).await?;
        for el in self.client.find_all(Locator::Css(css)).await? {
            if el.text().await.map(|t| t.contains(text)).unwrap_or(false) {
                return click_element(el)
                    .await
                    .with_context(|| format!("clicking {css} showing {text:?}"));
            }
        }
        bail!("no {css} showing {text:?} to click")
    }

    pub async fn type_into(&self, css: &str, text: &str) -> Result<()> {
        self.wait_for(css).await?;
        self.client
            .find(Locator::Css(css))
            .await?
            .send_keys(text)
            .await?;
        Ok(())
    }

    /// Puts the caret at the end of a textarea and types.
    pub async fn append_to(&self, css: &str, text: &str) -> Result<()> {
        self.wait_for(css).await?;
        let el = self.client.find(Locator::Css(css)).await?;
        el.click().await.context("clicking into the text")?;
        self.client
            .execute(
                "const t = document.querySelector(arguments[0]); t.focus(); t.setSelectionRange(t.value.length, t.value.length);",
                vec![serde_json::json!(css)],
            )
            .await
            .context("moving the caret to the end")?;
        el.send_keys(text).await.context("typing")?;
        Ok(())
    }

    /// Sets an input's value the way typing does for React (the native setter, then an
    /// `input` event): for date inputs and replacing a field's whole text.
    #[allow(dead_code)] // used by the sync test only
    pub async fn set_value(&self, css: &str, value: &str) -> Result<()> {
        self.wait_for(css).await?;
        self.client
            .execute(
                "const el = document.querySelector(arguments[0]);
                 const proto = el instanceof HTMLSelectElement ? HTMLSelectElement.prototype : HTMLInputElement.prototype;
                 Object.getOwnPropertyDescriptor(proto, 'value').set.call(el, arguments[1]);
                 el.dispatchEvent(new Event('input', { bubbles: true }));
                 el.dispatchEvent(new Event('change', { bubbles: true }));",
                vec![serde_json::json!(css), serde_json::json!(value)],
            )
            .await
            .with_context(|| format!("setting the value of {css}"))?;
        Ok(())
    }

    pub async fn clear(&self, css: &str) -> Result<()> {
        let el = self.client.find(Locator::Css(css)).await?;
        el.clear().await?;
        Ok(())
    }

    pub async fn text(&self, css: &str) -> Result<String> {
        self.wait_for(css).await?;
        Ok(self.client.find(Locator::Css(css)).await?.text().await?)
    }

    /// The text of every element matching `css`, in page order.
    pub async fn texts(&self, css: &str) -> Result<Vec<String>> {
        self.wait_for(css).await?;
        let mut out = Vec::new();
        for el in self.client.find_all(Locator::Css(css)).await? {
            out.push(el.text().await?);
        }
        Ok(out)
    }

    /// Like [`App::texts`], without waiting: empty when nothing matches yet.
    pub async fn texts_now(&self, css: &str) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for el in self
            .client
            .find_all(Locator::Css(css))
            .await
            .unwrap_or_default()
        {
            if let Ok(t) = el.text().await {
                out.push(t);
            }
        }
        Ok(out)
    }

    /// The cells of every row matching `css`: each child's text content, trimmed, whether
    /// or not the cell is on screen (WebKit's element text leaves some table cells out).
    #[allow(dead_code)] // used by the sync test only
    pub async fn rows_cells(&self, css: &str) -> Result<Vec<Vec<String>>> {
        let v = self
            .client
            .execute(
                "return Array.from(document.querySelectorAll(arguments[0])).map(r => \
                 Array.from(r.children).map(c => c.textContent.trim()));",
                vec![serde_json::json!(css)],
            )
            .await?;
        Ok(serde_json::from_value(v).unwrap_or_default())
    }

    pub async fn value(&self, css: &str) -> Result<String> {
        self.wait_for(css).await?;
        Ok(self
            .client
            .find(Locator::Css(css))
            .await?
            .prop("value")
            .await
            .with_context(|| format!("reading the value of {css}"))?
            .unwrap_or_default())
    }

    pub async fn page_text(&self) -> Result<String> {
        Ok(self.client.find(Locator::Css("body")).await?.text().await?)
    }

    /// Opens the search palette the way a rep does: Ctrl+K.
    pub async fn open_search(&self) -> Result<()> {
        self.client
            .execute(
                "window.dispatchEvent(new KeyboardEvent('keydown', {key: 'k', ctrlKey: true, bubbles: true}));",
                vec![],
            )
            .await?;
        self.wait_for("[data-testid=search-input]").await
    }

    /// Closes the search palette the way a rep does: Escape in its input.
    pub async fn close_search(&self) -> Result<()> {
        self.type_into("[data-testid=search-input]", "\u{e00c}")
            .await?;
        let started = Instant::now();
        while !self
            .client
            .find_all(Locator::Css("[data-testid=search-input]"))
            .await
            .unwrap_or_default()
            .is_empty()
        {
            if started.elapsed() > WAIT {
                bail!("the search palette did not close on Escape");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(())
    }

    /// Runs `js` in the page (arguments as `arguments[i]`) and returns what it returns.
    #[allow(dead_code)] // used by the live call test only
    pub async fn eval(&self, js: &str, args: Vec<serde_json::Value>) -> Result<serde_json::Value> {
        Ok(self.client.execute(js, args).await?)
    }

    /// Picks the option with `value` in a select, the way a rep clicks it.
    #[allow(dead_code)] // used by the live call test only
    pub async fn select_value(&self, css: &str, value: &str) -> Result<()> {
        self.wait_for(css).await?;
        self.client
            .find(Locator::Css(css))
            .await?
            .select_by_value(value)
            .await
            .with_context(|| format!("choosing {value:?} in {css}"))?;
        Ok(())
    }

    /// The handles of the app's windows (webviews) WebDriver can see.
    #[allow(dead_code)] // used by the live call test only
    pub async fn windows(&self) -> Result<Vec<fantoccini::wd::WindowHandle>> {
        Ok(self.client.windows().await?)
    }

    /// The window WebDriver commands go to now.
    #[allow(dead_code)] // used by the live call test only
    pub async fn current_window(&self) -> Result<fantoccini::wd::WindowHandle> {
        Ok(self.client.window().await?)
    }

    #[allow(dead_code)] // used by the live call test only
    pub async fn switch_to(&self, w: fantoccini::wd::WindowHandle) -> Result<()> {
        self.client.switch_to_window(w).await?;
        Ok(())
    }

    pub async fn screenshot(&self, name: &str) -> Result<()> {
        // WebKit paints asynchronously; give the view a moment to settle.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let png = self.client.screenshot().await?;
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir)?;
        std::fs::write(dir.join(format!("{name}.png")), png)?;
        Ok(())
    }

    /// SIGKILL every process of the app: a crash, not a quit.
    pub fn kill_hard(&self) -> Result<()> {
        let pids = app_pids();
        if pids.is_empty() {
            bail!("the app is not running");
        }
        kill_app_processes();
        Ok(())
    }

    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}

/// Clicks like a user. WebKitWebDriver refuses clicks on table rows (not
/// "interactable"), so a row is clicked through its first cell.
async fn click_element(el: fantoccini::elements::Element) -> Result<()> {
    let target = if el.tag_name().await?.eq_ignore_ascii_case("tr") {
        el.find(Locator::Css("td")).await?
    } else {
        el
    };
    target.click().await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
    Ok(())
}
