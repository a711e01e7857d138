//! The real `contacts` binary as a process, and a minimal HTTP/1.1 client
//! for it (one request per connection), for the fault and load tests.

#![allow(
    dead_code,
    reason = "each test file uses its own part of these helpers"
)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// The store tests' database helpers (a fresh PostgreSQL schema per test).
#[path = "../../../app/tests/common/mod.rs"]
#[allow(dead_code, reason = "these tests use only the schema helpers")]
pub mod store_db;

/// The binary to run: `CONTACTS_BIN` (the release build, for the larger
/// runs of BENCHMARKS.md), else the one cargo built with these tests.
fn binary() -> String {
    std::env::var("CONTACTS_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_contacts").to_string())
}

/// A server process on `url`, with `env` added.
pub struct Server {
    pub child: Child,
    pub port: u16,
    pub log: std::path::PathBuf,
}

impl Server {
    pub fn start(url: &str, env: &[(&str, &str)], tag: &str) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let log =
            std::env::temp_dir().join(format!("contacts-crash-{}-{tag}.log", std::process::id()));
        let mut cmd = Command::new(binary());
        cmd.args(["serve", "--addr", &format!("127.0.0.1:{port}")])
            .env("DATABASE_URL", url)
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("the contacts binary starts");
        let server = Server { child, port, log };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok((200, _, _)) = server.request("GET", "/health/ready", None, "") {
                return server;
            }
            assert!(
                Instant::now() < deadline,
                "server did not get ready: {}",
                server.log_text()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn kill(mut self) {
        let _ = self.child.kill();
        self.child.wait().unwrap();
        self.assert_no_panic();
    }

    pub fn assert_no_panic(&self) {
        let log = self.log_text();
        assert!(!log.contains("panicked"), "the server panicked:\n{log}");
    }

    /// One HTTP/1.1 request (`Connection: close`): (status, Set-Cookie, body).
    pub fn request(
        &self,
        method: &str,
        path: &str,
        cookie: Option<&str>,
        body: &str,
    ) -> std::io::Result<(u16, Option<String>, String)> {
        let mut s = TcpStream::connect(("127.0.0.1", self.port))?;
        s.set_read_timeout(Some(Duration::from_secs(120)))?;
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\
             Content-Type: application/json\r\nAccept: application/json\r\nContent-Length: {}\r\n",
            self.port,
            body.len()
        );
        if let Some(c) = cookie {
            head.push_str(&format!("Cookie: {c}\r\n"));
        }
        head.push_str("\r\n");
        s.write_all(head.as_bytes())?;
        s.write_all(body.as_bytes())?;
        let mut raw = Vec::new();
        s.read_to_end(&mut raw)?;
        let text = String::from_utf8_lossy(&raw).to_string();
        let (head, rest) = text
            .split_once("\r\n\r\n")
            .ok_or_else(|| std::io::Error::other("no answer"))?;
        let status: u16 = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other("no status"))?;
        let header = |name: &str| {
            head.lines()
                .find(|l| l.to_ascii_lowercase().starts_with(&format!("{name}:")))
                .map(|l| l.split_once(':').unwrap().1.trim().to_string())
        };
        let cookie = header("set-cookie").map(|c| c.split(';').next().unwrap().to_string());
        let body = if header("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
            dechunk(rest)
        } else {
            rest.to_string()
        };
        Ok((status, cookie, body))
    }

    pub fn call(
        &self,
        cookie: &str,
        endpoint: &str,
        body: &Value,
    ) -> std::io::Result<(u16, Value)> {
        let (status, _, text) = self.request(
            "POST",
            &format!("/api/{endpoint}"),
            Some(cookie),
            &body.to_string(),
        )?;
        Ok((
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        ))
    }

    pub fn sign_up(&self, account: &str, email: &str) -> String {
        let body = json!({ "form": { "account_name": account, "email": email, "password": "correct horse battery" } });
        let (status, cookie, text) = self
            .request("POST", "/api/auth/signup", None, &body.to_string())
            .unwrap();
        assert_eq!(status, 200, "{text}");
        cookie.expect("a session cookie")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn dechunk(mut rest: &str) -> String {
    let mut out = String::new();
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if n == 0 || tail.len() < n {
            break;
        }
        out.push_str(&tail[..n]);
        rest = tail[n..].trim_start_matches("\r\n");
    }
    out
}
