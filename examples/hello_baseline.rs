//! The load test's baseline: the smallest axum service (one route answering "Hello, World!"),
//! on the same runtime settings as `errkb serve`. Run by bench/load.sh next to errkb so the two
//! figures come from the same machine in the same minute.
//!
//! Usage: `cargo run --release --example hello_baseline -- 127.0.0.1:3101`

use axum::Router;
use axum::routing::get;

fn main() -> std::io::Result<()> {
    let addr = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:3101".to_string());
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        let app = Router::new().route("/", get(|| async { "Hello, World!" }));
        let listener = tokio::net::TcpListener::bind(&addr).await?;
        eprintln!("hello_baseline listening on {}", listener.local_addr()?);
        axum::serve(listener, app).await
    })
}
