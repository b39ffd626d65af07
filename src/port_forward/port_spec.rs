//! `--port LOCAL[:REMOTE]` and `--address`: LOCAL is the local port (`0` picks a free one), REMOTE the Service port
//! to reach (default: the Service's port, which is also the default LOCAL), as in `kubectl port-forward svc/x`.

use std::net::{IpAddr, Ipv4Addr};

/// A parsed `--port` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortSpec {
    /// Local port; `0` lets the OS pick a free one.
    pub local: u16,
    /// The Service port to forward to; `None` means the Service's (first) port.
    pub remote: Option<u16>,
}

/// Parses `LOCAL`, `LOCAL:REMOTE` or `:REMOTE` (local port = the remote port).
pub fn parse_port(value: &str) -> Result<PortSpec, String> {
    let (local, remote) = match value.split_once(':') {
        None => (value, None),
        Some((local, remote)) => (local, Some(remote)),
    };
    let remote = remote.map(|r| number(r, "REMOTE", false)).transpose()?;
    let local = if local.is_empty() && remote.is_some() {
        remote.unwrap_or_default()
    } else {
        number(local, "LOCAL", true)?
    };
    Ok(PortSpec { local, remote })
}

fn number(text: &str, what: &str, zero_ok: bool) -> Result<u16, String> {
    let n: u16 = text.parse().map_err(|_| {
        format!("{what} port {text:?} is not a number from 1 to 65535 (expected LOCAL[:REMOTE], e.g. 8080 or 0:8080)")
    })?;
    if n == 0 && !zero_ok {
        return Err(format!(
            "{what} port must not be 0 (only LOCAL may be 0, to pick a free local port)"
        ));
    }
    Ok(n)
}

/// Parses `--address`: an IP address, or `localhost` (127.0.0.1).
pub fn parse_address(value: &str) -> Result<IpAddr, String> {
    if value.eq_ignore_ascii_case("localhost") {
        return Ok(IpAddr::V4(Ipv4Addr::LOCALHOST));
    }
    value.parse().map_err(|_| {
        format!("{value:?} is not an IP address (e.g. 127.0.0.1, ::1, 0.0.0.0, or localhost)")
    })
}

/// `http://ADDR:PORT/` as a browser wants it (IPv6 in brackets; the unspecified address shown as loopback, which
/// is where a browser on this machine reaches it).
pub fn url(addr: std::net::SocketAddr) -> String {
    let ip = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}", std::net::SocketAddr::new(ip, addr.port()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_forms() {
        assert_eq!(
            parse_port("8080"),
            Ok(PortSpec {
                local: 8080,
                remote: None
            })
        );
        assert_eq!(
            parse_port("0"),
            Ok(PortSpec {
                local: 0,
                remote: None
            })
        );
        assert_eq!(
            parse_port("9000:8080"),
            Ok(PortSpec {
                local: 9000,
                remote: Some(8080)
            })
        );
        assert_eq!(
            parse_port("0:8080"),
            Ok(PortSpec {
                local: 0,
                remote: Some(8080)
            })
        );
        assert_eq!(
            parse_port(":8090"),
            Ok(PortSpec {
                local: 8090,
                remote: Some(8090)
            })
        );
    }

    #[test]
    fn bad_ports_say_what_is_expected() {
        for bad in ["", "x", "70000", "-1", "8080:", "8080:0", "1:2:3", ":"] {
            let err = parse_port(bad).unwrap_err();
            assert!(err.contains("port"), "{bad:?}: {err}");
        }
        assert!(parse_port("abc").unwrap_err().contains("LOCAL[:REMOTE]"));
        assert!(parse_port("1:0").unwrap_err().contains("must not be 0"));
    }

    #[test]
    fn addresses_and_urls() {
        assert_eq!(
            parse_address("localhost"),
            Ok(IpAddr::V4(Ipv4Addr::LOCALHOST))
        );
        assert_eq!(parse_address("::1"), Ok("::1".parse().unwrap()));
        assert!(parse_address("example.com").is_err());
        assert_eq!(
            url("127.0.0.1:8080".parse().unwrap()),
            "http://127.0.0.1:8080"
        );
        assert_eq!(url("0.0.0.0:80".parse().unwrap()), "http://127.0.0.1:80");
        assert_eq!(url("[::1]:8080".parse().unwrap()), "http://[::1]:8080");
    }
}
