# errkb: multi-stage build. The runtime image is distroless (glibc, CA certificates, no shell)
# and runs as the unprivileged `nonroot` user (uid 65532).
#   docker build -t errkb .
#   docker run --rm -p 3000:3000 -v errkb-data:/data errkb
FROM rust:1-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src src
COPY migrations migrations
COPY manifest manifest
COPY benches benches
COPY examples examples
RUN cargo build --release --locked --bin errkb \
 && mkdir -p /out/data \
 && cp target/release/errkb /out/errkb

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /out/errkb /usr/local/bin/errkb
COPY --from=build --chown=65532:65532 /out/data /data
COPY kb /app/kb
WORKDIR /app
ENV ERRKB_LISTEN=0.0.0.0:3000 \
    ERRKB_KB_DIR=/app/kb \
    ERRKB_DATABASE_URL=sqlite:/data/errkb.sqlite3 \
    ERRKB_LOG_FORMAT=json \
    ERRKB_HOT_RELOAD=false
USER nonroot
EXPOSE 3000
VOLUME ["/data"]
ENTRYPOINT ["/usr/local/bin/errkb"]
CMD ["serve"]
