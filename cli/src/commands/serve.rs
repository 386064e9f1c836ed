//! `aspara serve`: binds the router of [`crate::server`] and prints the URL. Loopback by default; a
//! bind to every interface (0.0.0.0 or ::) works but is warned about, since the data has no access
//! control. It opens no browser.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use crate::args::ServeArgs;
use crate::{Error, Result, assets, catalog, server};

/// The validated configuration.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// The data directory (exists).
    pub data_dir: PathBuf,
    /// Where to listen.
    pub addr: SocketAddr,
    /// With `--with-tracker`: the tracker's settings; its API is served under `/tracker`.
    pub tracker: Option<crate::tracker::TrackerConfig>,
}

impl ServeArgs {
    /// Validates the arguments.
    pub fn config(&self) -> Result<ServeConfig> {
        Ok(ServeConfig {
            data_dir: super::existing_data_dir(self.data.data_dir.as_deref())?,
            addr: parse_addr(&self.host, self.port)?,
            tracker: self.with_tracker.then(|| crate::tracker::TrackerConfig {
                token: self.token.clone(),
                ..crate::tracker::TrackerConfig::default()
            }),
        })
    }
}

/// `--host` and `--port` as a socket address (`localhost` is 127.0.0.1).
pub fn parse_addr(host: &str, port: u16) -> Result<SocketAddr> {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let ip: IpAddr = if host.eq_ignore_ascii_case("localhost") {
        IpAddr::from([127, 0, 0, 1])
    } else {
        host.parse().map_err(|_| {
            Error::BadArgument(format!(
                "--host {host:?} is not an IP address (try 127.0.0.1)"
            ))
        })?
    };
    Ok(SocketAddr::new(ip, port))
}

/// The warning for an address reachable from other machines, if it is one.
pub fn exposure_warning(addr: &SocketAddr) -> Option<String> {
    if addr.ip().is_loopback() {
        return None;
    }
    let what = if addr.ip().is_unspecified() {
        "every network interface"
    } else {
        "a non-loopback address"
    };
    Some(format!(
        "warning: serving on {what} ({}): anyone who can reach this machine can read every run in the data directory",
        addr.ip()
    ))
}

/// The URL to print for a bound address.
pub fn url_for(addr: &SocketAddr) -> String {
    match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => format!("http://127.0.0.1:{}/", addr.port()),
        IpAddr::V6(ip) if ip.is_unspecified() => format!("http://[::1]:{}/", addr.port()),
        _ => format!("http://{addr}/"),
    }
}

/// The router `serve` binds: the dashboard and data directory, plus the tracker API under
/// `/tracker` when configured (then also the tracker's ingest, which must be closed on shutdown).
pub fn app(
    config: &ServeConfig,
) -> Result<(axum::Router, Option<std::sync::Arc<aspara::ingest::Ingest>>)> {
    let app = server::router(&config.data_dir)?;
    match &config.tracker {
        Some(tracker_config) => {
            let ingest = std::sync::Arc::new(aspara::ingest::Ingest::new(&config.data_dir)?);
            let app = app.merge(crate::tracker::app(ingest.clone(), tracker_config));
            Ok((app, Some(ingest)))
        }
        None => Ok((app, None)),
    }
}

/// Serves until the process is stopped (Ctrl-C or SIGTERM).
pub async fn run(config: &ServeConfig) -> Result<()> {
    let (app, ingest) = app(config)?;
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(Error::io("binding", config.addr.to_string()))?;
    let addr = listener
        .local_addr()
        .map_err(Error::io("binding", config.addr.to_string()))?;
    if let Some(w) = exposure_warning(&addr) {
        eprintln!("{w}");
    }
    if !assets::dashboard_built() {
        eprintln!(
            "warning: the dashboard was not built into this binary; the page says so. To fix it, {}",
            assets::BUILD_HINT
        );
    }
    {
        // Errors ignored: a closed stdout (a pipe whose reader left) must not stop the
        // server the way `println!`'s panic would.
        use std::io::Write as _;
        let mut out = std::io::stdout().lock();
        let _ = writeln!(
            out,
            "Serving {} at {}",
            config.data_dir.display(),
            url_for(&addr)
        );
        // What the dashboard will list; a scan problem is not fatal here (the manifest request
        // reports it), but it is worth saying now.
        match catalog::scan(&config.data_dir) {
            Ok((_, report)) => {
                let _ = writeln!(
                    out,
                    "{} project(s), {} run(s){}",
                    report.projects,
                    report.runs,
                    if report.skipped.is_empty() {
                        String::new()
                    } else {
                        format!(
                            "; {} entr(ies) skipped (see `aspara index`)",
                            report.skipped.len()
                        )
                    }
                );
            }
            Err(e) => eprintln!(
                "warning: scanning {} failed: {e}",
                config.data_dir.display()
            ),
        }
        if ingest.is_some() {
            let _ = writeln!(
                out,
                "Tracker API at {}tracker (auth: {})",
                url_for(&addr),
                if config.tracker.as_ref().is_some_and(|t| t.token.is_some()) {
                    "bearer token"
                } else {
                    "none"
                }
            );
        }
        let _ = writeln!(out, "Press Ctrl-C to stop.");
        let _ = out.flush();
    }
    match ingest {
        // The tracker's shutdown also writes and syncs every run it holds open.
        Some(ingest) => crate::tracker::serve(listener, app, ingest).await,
        None => {
            axum::serve(listener, app)
                .with_graceful_shutdown(crate::tracker::shutdown_signal())
                .await
        }
    }
    .map_err(Error::io("serving", addr.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_is_quiet_and_all_interfaces_warn() {
        assert!(exposure_warning(&parse_addr("127.0.0.1", 1).unwrap()).is_none());
        assert!(exposure_warning(&parse_addr("::1", 1).unwrap()).is_none());
        assert!(exposure_warning(&parse_addr("localhost", 1).unwrap()).is_none());
        let w = exposure_warning(&parse_addr("0.0.0.0", 1).unwrap()).unwrap();
        assert!(w.contains("every network interface"), "{w}");
        assert!(exposure_warning(&parse_addr("::", 1).unwrap()).is_some());
        assert!(exposure_warning(&parse_addr("[::]", 1).unwrap()).is_some());
    }

    #[test]
    fn urls_and_bad_hosts() {
        assert_eq!(
            url_for(&parse_addr("127.0.0.1", 3141).unwrap()),
            "http://127.0.0.1:3141/"
        );
        assert_eq!(
            url_for(&parse_addr("0.0.0.0", 80).unwrap()),
            "http://127.0.0.1:80/"
        );
        assert_eq!(url_for(&parse_addr("::1", 8).unwrap()), "http://[::1]:8/");
        assert!(parse_addr("example.com", 1).is_err());
    }
}
