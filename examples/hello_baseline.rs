//! The load test's baseline: the smallest axum service (one route answering "Hello, World!"),
//! on the same runtime settings as `errkb serve`. Run by bench/load.sh next to errkb so the two
//! figures come from the same machine in the same minute. `GET /bytes/{n}` answers `n` bytes
//! (at most 64 KiB) from a static buffer: the same empty handler with a response the size of a
//! chat answer, to tell what sending those bytes over loopback costs from what errkb does.
//!
//! Usage: `cargo run --release --example hello_baseline -- 127.0.0.1:3101`

use axum::Router;
use axum::body::Bytes;
use axum::extract::Path;
use axum::routing::get;

static FILLER: [u8; 65536] = [b'x'; 65536];

fn main() -> std::io::Result<()> {
    let addr = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:3101".to_string());
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        let app = Router::new().route("/", get(|| async { "Hello, World!" })).route(
            "/bytes/{n}",
            get(|Path(n): Path<usize>| async move { Bytes::from_static(&FILLER[..n.min(FILLER.len())]) }),
        );
        let listener = tokio::net::TcpListener::bind(&addr).await?;
        eprintln!("hello_baseline listening on {}", listener.local_addr()?);
        axum::serve(listener, app).await
    })
}
