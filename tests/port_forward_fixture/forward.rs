//! The `kubectl-dagu port-forward` process as a user runs it, and a minimal HTTP/1.0 client to go through it.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use super::{Cluster, PAGE_MARKER};
use crate::support;

/// A running `kubectl-dagu port-forward`; killed on drop if still running.
pub struct Forward {
    child: Child,
    /// The local port it printed.
    pub port: u16,
    /// The `-> POD:PORT` part of the line it printed.
    pub target: String,
    stderr: Arc<Mutex<String>>,
}

impl Forward {
    /// Starts the command with `--port 0` and waits (bounded) for its `Forwarding from` line.
    pub fn start(cluster: &Cluster, args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kubectl-dagu"))
            .arg("port-forward")
            .args(args)
            .arg("--kubeconfig")
            .arg(&cluster.kubeconfig)
            .args(["--port", "0"])
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = Arc::new(Mutex::new(String::new()));
        let (sink, pipe) = (stderr.clone(), child.stderr.take().unwrap());
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                eprintln!("[port-forward] {line}");
                sink.lock().unwrap().push_str(&(line + "\n"));
            }
        });
        let (tx, rx) = mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let line = rx
            .recv_timeout(Duration::from_secs(90))
            .unwrap_or_else(|e| {
                let _ = child.kill();
                panic!(
                    "no `Forwarding from` line within 90s ({e}); stderr:\n{}",
                    stderr.lock().unwrap()
                )
            });
        let rest = line
            .strip_prefix("Forwarding from http://127.0.0.1:")
            .unwrap_or_else(|| panic!("{line:?}"));
        let (port, target) = rest
            .split_once(" -> ")
            .unwrap_or_else(|| panic!("{line:?}"));
        Self {
            child,
            port: port.parse().unwrap(),
            target: target.to_string(),
            stderr,
        }
    }

    /// Sends SIGINT (as Ctrl-C does) and waits (bounded) for the process to exit.
    pub fn interrupt(&mut self) -> ExitStatus {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success());
        support::poll(
            "port-forward to exit after SIGINT",
            Duration::from_secs(30),
            || self.child.try_wait().unwrap(),
        )
    }

    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }
}

impl Drop for Forward {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `GET /` over HTTP/1.0 through 127.0.0.1:`port`; the body on a 200, else an error naming what came back.
/// Reads `Content-Length` bytes of body rather than waiting for EOF: after the pod closes, containerd keeps the
/// forwarded stream open up to 1 s for the other direction (kubectl's streams behave the same).
pub fn http_get(port: u16) -> Result<String, String> {
    let mut stream =
        TcpStream::connect(("127.0.0.1", port)).map_err(|e| format!("connect: {e}"))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    stream
        .write_all(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")
        .map_err(|e| format!("write: {e}"))?;
    let mut response = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let text = String::from_utf8_lossy(&response).into_owned();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().to_string())
                })
                .and_then(|v| v.parse::<usize>().ok());
            if length.is_some_and(|n| body.len() >= n) {
                break;
            }
        }
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => response.extend_from_slice(&buf[..n]),
            Err(e) => {
                return Err(format!(
                    "read: {e} after {:?}",
                    String::from_utf8_lossy(&response)
                ))
            }
        }
    }
    let response = String::from_utf8_lossy(&response).into_owned();
    match response.split_once("\r\n\r\n") {
        Some((head, body))
            if head.starts_with("HTTP/1.0 200") || head.starts_with("HTTP/1.1 200") =>
        {
            Ok(body.to_string())
        }
        _ => Err(format!("not a 200 response: {response:?}")),
    }
}

/// The pod name in a page served by the stand-in.
pub fn served_by(body: &str) -> &str {
    body.trim()
        .strip_prefix(PAGE_MARKER)
        .unwrap_or_else(|| panic!("unexpected page {body:?}"))
}
