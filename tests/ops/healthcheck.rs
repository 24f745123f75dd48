//! `errkb healthcheck`, the container health check of the distroless image (no shell, no curl):
//! exit 0 while `errkb serve` answers, 1 once it does not, with the reason on stderr.

use crate::serve;

use std::process::Output;

use serve::errkb;

fn healthcheck(args: &[&str], listen: Option<&str>) -> Output {
    let mut cmd = errkb();
    cmd.arg("healthcheck").args(args);
    if let Some(listen) = listen {
        cmd.env("ERRKB_LISTEN", listen);
    }
    cmd.output().expect("errkb healthcheck runs")
}

#[test]
fn healthcheck_exits_zero_while_serve_answers_and_one_after_it_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = errkb();
    cmd.env("ERRKB_DATABASE_URL", format!("sqlite:{}", dir.path().join("db.sqlite3").display()))
        .env("ERRKB_HOT_RELOAD", "false");
    let mut served = serve::serve(cmd, &[]);
    let port = served.port;
    let base = format!("http://127.0.0.1:{port}");

    let by_listen = healthcheck(&[], Some(&format!("0.0.0.0:{port}")));
    assert_eq!(by_listen.status.code(), Some(0), "{}", String::from_utf8_lossy(&by_listen.stderr));
    assert!(by_listen.stdout.is_empty() && by_listen.stderr.is_empty(), "a healthy check prints nothing");
    let by_url = healthcheck(&["--url", &format!("{base}/readyz")], None);
    assert_eq!(by_url.status.code(), Some(0));

    let missing = healthcheck(&["--url", &format!("{base}/no-such-page")], None);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("404"), "{}", String::from_utf8_lossy(&missing.stderr));

    assert!(served.stop(), "serve stops on SIGTERM");
    let after = healthcheck(&["--timeout", "2"], Some(&format!("127.0.0.1:{port}")));
    assert_eq!(after.status.code(), Some(1));
    let err = String::from_utf8_lossy(&after.stderr);
    assert!(err.contains(&format!("http://127.0.0.1:{port}/healthz")) && err.contains("no answer"), "{err}");
}

#[test]
fn healthcheck_reads_the_listen_address_from_the_config_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("errkb.toml");
    // Port 9 (discard) on loopback: nothing of ours listens there, so the check must fail, and
    // its message shows it asked the address from the file.
    std::fs::write(&file, "listen = \"127.0.0.1:9\"\n").unwrap();
    let out = healthcheck(&["--config", file.to_str().unwrap(), "--timeout", "1"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("http://127.0.0.1:9/healthz"));
}
