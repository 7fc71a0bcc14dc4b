//! Which `Host` the server answers to, and which state-changing requests it accepts: the defence against DNS
//! rebinding and cross-site requests, checked before any handler on every route (pages, API, exports, assets).
//!
//! DNS rebinding: a web page on `evil.example` makes its own name resolve to 127.0.0.1, and the browser then lets
//! that page read whatever the local server answers, since to the browser it is the page's own origin. Its
//! requests still carry `Host: evil.example`, so a server that answers only to the names it is known by
//! (localhost, the loopback addresses, the address it listens on or was reached at, and names given with
//! `--allow-host`) is out of reach. A request without `Host` (HTTP/1.0 tools) cannot come from a browser and is
//! let through; the session's CSRF token still guards its writes.
//!
//! On top of the CSRF token, a state-changing request is refused when the browser says it is cross-site
//! (`Sec-Fetch-Site: cross-site`) or when its `Origin` is not this server's own scheme, host and port.

use crate::error::{HttpError, WebError};
use crate::server::Peer;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::IpAddr;
use std::sync::Arc;

/// The host names (lower case, without port) this server answers to.
#[derive(Debug, Clone)]
pub struct HostPolicy {
    names: Vec<String>,
}

impl Default for HostPolicy {
    /// Loopback only: what a server on 127.0.0.1 is reached by.
    fn default() -> Self {
        HostPolicy { names: vec!["localhost".into(), "127.0.0.1".into(), "::1".into()] }
    }
}

impl HostPolicy {
    /// Adds a name or address given by the runner (`--allow-host runtall.local`, `192.168.1.20`, a port is
    /// ignored). Refuses what is not a host name, so a typo does not silently allow nothing (or everything).
    pub fn allow(&mut self, raw: &str) -> Result<(), WebError> {
        let name = host_name(raw.trim())
            .filter(|n| valid_name(n))
            .ok_or_else(|| WebError::BadHostName { name: raw.to_string() })?;
        if !self.names.contains(&name) {
            self.names.push(name);
        }
        Ok(())
    }

    /// Allows the address the server listens on, unless it is the unspecified address (0.0.0.0 or ::), which
    /// no client uses as a host; those are matched per connection by the address the client reached.
    pub fn allow_ip(&mut self, ip: IpAddr) {
        let ip = ip.to_canonical();
        if !ip.is_unspecified() {
            let name = ip.to_string();
            if !self.names.contains(&name) {
                self.names.push(name);
            }
        }
    }

    /// Whether a request whose `Host` is `host` is for this server. `local` is the address the client connected
    /// to: an IP address as host cannot be rebound, and the one the client reached is this server's own.
    pub fn allows(&self, host: &str, local: Option<IpAddr>) -> bool {
        let Some(name) = host_name(host) else { return false };
        if self.names.contains(&name) {
            return true;
        }
        match (name.parse::<IpAddr>(), local) {
            (Ok(ip), Some(local)) => ip.to_canonical() == local.to_canonical(),
            _ => false,
        }
    }
}

/// `Host` without its port, lower case, without a trailing dot and IPv6 brackets: `[::1]:8080` → `::1`.
fn host_name(host: &str) -> Option<String> {
    host_port(host, "").map(|(name, _)| name)
}

/// A `Host` or origin authority split into its normalised name and its port (`default_port` when absent).
fn host_port(authority: &str, default_port: &str) -> Option<(String, String)> {
    let authority = authority.trim();
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    let (name, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (inside, after) = rest.split_once(']')?;
        match after.strip_prefix(':') {
            None if after.is_empty() => (inside, default_port),
            Some(p) if digits(p) => (inside, p),
            _ => return None,
        }
    } else if authority.matches(':').count() > 1 {
        // A bare IPv6 address: no port possible.
        authority.parse::<IpAddr>().ok()?;
        (authority, default_port)
    } else {
        match authority.split_once(':') {
            Some((name, p)) if digits(p) => (name, p),
            Some(_) => return None,
            None => (authority, default_port),
        }
    };
    let name = name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase();
    (!name.is_empty()).then(|| (name, port.to_string()))
}

/// Letters, digits, dots, dashes (a DNS name), or an IP address.
fn valid_name(name: &str) -> bool {
    name.parse::<IpAddr>().is_ok()
        || (name.len() <= 253
            && name.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    && !label.starts_with('-')
            }))
}

/// The `Host` a request was sent to: the authority of an absolute-form target, else the `Host` header.
fn request_host(request: &Request) -> Option<Result<String, ()>> {
    if let Some(authority) = request.uri().authority() {
        return Some(Ok(authority.as_str().to_string()));
    }
    let value = request.headers().get(header::HOST)?;
    Some(value.to_str().map(str::to_string).map_err(|_| ()))
}

/// Whether a state-changing request came from a page of this very server, as far as the browser tells.
fn same_origin(headers: &HeaderMap, host: Option<&str>, tls: Option<bool>) -> bool {
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if fetch_site.is_some_and(|s| s.eq_ignore_ascii_case("cross-site")) {
        return false;
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        // Tools and older browsers send no Origin; the CSRF token decides.
        return true;
    };
    let Ok(origin) = origin.to_str() else { return false };
    let Some((scheme, authority)) = origin.split_once("://") else {
        // `null`: a sandboxed frame, a redirect across sites — or the app's own page under a stricter referrer
        // policy than ours (a privacy extension). Only the browser's own word that it is same-origin lets it in.
        return origin == "null" && fetch_site.is_some_and(|s| s.eq_ignore_ascii_case("same-origin"));
    };
    let https = match scheme.to_ascii_lowercase().as_str() {
        "https" => true,
        "http" => false,
        _ => return false,
    };
    if tls.is_some_and(|tls| tls != https) {
        return false;
    }
    let Some(host) = host else { return false };
    let default_port = if https { "443" } else { "80" };
    matches!(
        (host_port(authority, default_port), host_port(host, default_port)),
        (Some(a), Some(b)) if a == b
    )
}

/// The middleware: 421 for a foreign `Host`, 403 for a cross-site state-changing request.
pub async fn guard(State(policy): State<Arc<HostPolicy>>, request: Request, next: Next) -> Response {
    let peer = request.extensions().get::<Peer>().copied();
    let host = match request_host(&request) {
        None => None,
        Some(Ok(host)) => {
            if !policy.allows(&host, peer.map(|p| p.local.ip())) {
                return HttpError::WrongHost.into_response();
            }
            Some(host)
        }
        Some(Err(())) => return HttpError::WrongHost.into_response(),
    };
    let writes = !matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if writes && !same_origin(request.headers(), host.as_deref(), peer.map(|p| p.tls)) {
        return HttpError::CrossSite.into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names_lose_their_port_case_and_brackets() {
        assert_eq!(host_name("LocalHost:8080").as_deref(), Some("localhost"));
        assert_eq!(host_name("[::1]:8080").as_deref(), Some("::1"));
        assert_eq!(host_name("[::1]").as_deref(), Some("::1"));
        assert_eq!(host_name("::1").as_deref(), Some("::1"));
        assert_eq!(host_name("127.0.0.1").as_deref(), Some("127.0.0.1"));
        assert_eq!(host_name("localhost.:80").as_deref(), Some("localhost"));
        assert_eq!(host_name("evil.example:x"), None);
        assert_eq!(host_name("[::1]x"), None);
        assert_eq!(host_name(""), None);
    }

    #[test]
    fn only_known_names_and_the_reached_address_are_allowed() {
        let mut p = HostPolicy::default();
        for ok in ["localhost", "localhost:8080", "127.0.0.1:8080", "[::1]:8080", "LOCALHOST"] {
            assert!(p.allows(ok, None), "{ok}");
        }
        for bad in ["evil.example", "evil.example:8080", "localhost.evil.example", "127.0.0.2", "x:y:z"] {
            assert!(!p.allows(bad, None), "{bad}");
        }
        let lan: IpAddr = "192.168.1.20".parse().expect("ip");
        assert!(p.allows("192.168.1.20:8443", Some(lan)), "the address the phone reached");
        assert!(!p.allows("192.168.1.21:8443", Some(lan)));
        assert!(!p.allows("runtall.local", Some(lan)));
        p.allow("runtall.local:8443").expect("a name");
        assert!(p.allows("Runtall.Local:8443", Some(lan)));
        for bad in ["", "http://x", "a/b", "a b", "-x", "x..y"] {
            assert!(p.allow(bad).is_err(), "{bad:?}");
        }
        p.allow_ip("0.0.0.0".parse().expect("ip"));
        assert!(!p.allows("0.0.0.0", None), "the unspecified address is no host");
        p.allow_ip("10.0.0.5".parse().expect("ip"));
        assert!(p.allows("10.0.0.5:80", None));
    }

    #[test]
    fn origin_must_be_this_server_and_cross_site_is_refused() {
        let h = |pairs: &[(&'static str, &'static str)]| {
            let mut m = HeaderMap::new();
            for (k, v) in pairs {
                m.insert(*k, v.parse().expect("value"));
            }
            m
        };
        let host = Some("127.0.0.1:8080");
        assert!(same_origin(&h(&[]), host, None), "no Origin: a tool, the token decides");
        assert!(same_origin(&h(&[("origin", "http://127.0.0.1:8080")]), host, Some(false)));
        assert!(same_origin(&h(&[("origin", "http://localhost")]), Some("localhost:80"), None));
        assert!(same_origin(&h(&[("origin", "https://[::1]")]), Some("[::1]:443"), Some(true)));
        assert!(!same_origin(&h(&[("origin", "http://evil.example")]), host, None));
        assert!(!same_origin(&h(&[("origin", "http://127.0.0.1:9999")]), host, None), "another port");
        assert!(!same_origin(&h(&[("origin", "https://127.0.0.1:8080")]), host, Some(false)), "another scheme");
        assert!(!same_origin(&h(&[("origin", "null")]), host, None));
        assert!(!same_origin(&h(&[("origin", "null"), ("sec-fetch-site", "same-site")]), host, None));
        assert!(same_origin(&h(&[("origin", "null"), ("sec-fetch-site", "same-origin")]), host, None));
        assert!(!same_origin(&h(&[("sec-fetch-site", "cross-site")]), host, None));
        assert!(same_origin(&h(&[("sec-fetch-site", "same-origin")]), host, None));
        assert!(!same_origin(&h(&[("origin", "http://127.0.0.1:8080")]), None, None), "Origin without Host");
    }
}
