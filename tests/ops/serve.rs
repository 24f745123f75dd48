//! Runs the built `errkb` binary as an admin would: `errkb serve` in the background with JSON logs,
//! read until it says where it listens; plain HTTP/1.1 requests with no client library.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

/// The `errkb` binary run from the repository root with no stray configuration.
pub fn errkb() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_errkb"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    for var in [
        "RUST_LOG",
        "ERRKB_CONFIG",
        "ERRKB_LOG_FORMAT",
        "ERRKB_PUBLIC_URL",
        "ERRKB_LISTEN",
        "ERRKB_KB_DIR",
        "ERRKB_INDEX_DIR",
        "ERRKB_DATABASE_URL",
        "SLACK_SIGNING_SECRET",
        "SLACK_BOT_TOKEN",
        "SLACK_APP_TOKEN",
        "MICROSOFT_APP_ID",
        "MICROSOFT_APP_PASSWORD",
        "MICROSOFT_APP_TENANT_ID",
        "TEAMS_WEBHOOK_SECRET",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

/// A running `errkb serve`, killed when dropped.
pub struct Served {
    pub child: Child,
    pub port: u16,
    /// Every log line up to "errkb serving", parsed.
    pub log: Vec<Value>,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Served {
    /// The log lines with this message.
    pub fn lines(&self, message: &str) -> Vec<&Value> {
        self.log.iter().filter(|l| l["message"].as_str().is_some_and(|m| m.contains(message))).collect()
    }

    /// The start-up log line of one integration.
    pub fn integration(&self, name: &str) -> &Value {
        self.log
            .iter()
            .find(|l| l["message"] == "integration" && l["integration"] == name)
            .unwrap_or_else(|| panic!("no integration line for {name}: {:#?}", self.log))
    }

    /// SIGTERM, then waits up to 10 s; true when it stopped cleanly.
    pub fn stop(&mut self) -> bool {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let start = std::time::Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.success();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }
}

/// Starts `errkb --log-format json serve --listen 127.0.0.1:0 ...` with `cmd`'s environment and
/// returns once it listens (its stderr is drained in the background afterwards).
pub fn serve(mut cmd: Command, extra_args: &[&str]) -> Served {
    cmd.args(["--log-format", "json", "serve", "--listen", "127.0.0.1:0"]).args(extra_args);
    serve_as_given(cmd)
}

/// Runs `cmd` as it is (it must start `errkb serve` with JSON logs on stderr) and returns once it
/// listens.
pub fn serve_as_given(mut cmd: Command) -> Served {
    let mut child = cmd.stderr(Stdio::piped()).stdout(Stdio::null()).spawn().expect("errkb serve starts");
    let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let mut log = Vec::new();
    let port = loop {
        let Some(Ok(line)) = lines.next() else {
            let _ = child.kill();
            panic!("errkb serve exited before listening; log so far: {log:#?}");
        };
        let json: Value = serde_json::from_str(&line).unwrap_or_else(|_| panic!("not a JSON log line: {line}"));
        let serving = json["message"] == "errkb serving";
        let port = json["port"].as_u64();
        log.push(json);
        if serving {
            break port.expect("port in the serving line") as u16;
        }
    };
    std::thread::spawn(move || for _ in lines.map_while(Result::ok) {});
    Served { child, port, log }
}

/// The status line's code and the body of a plain HTTP/1.1 request to 127.0.0.1:`port`.
pub fn request(port: u16, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, String) {
    let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) else { return (0, String::new()) };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    if stream.write_all(head.as_bytes()).is_err() {
        return (0, String::new());
    }
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    let code = response.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = response.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    (code, body)
}
