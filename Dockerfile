# errkb: multi-stage build. The runtime image is distroless (glibc, CA certificates, no shell)
# and runs as the unprivileged `nonroot` user (uid 65532). docs/deploy.md has the details.
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
 && mkdir -p /out/data /out/team \
 && cp target/release/errkb /out/errkb

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /out/errkb /usr/local/bin/errkb
COPY --from=build --chown=65532:65532 /out/data /data
# The shipped guides, and an empty folder where your own are mounted (a volume or a ConfigMap).
COPY kb /app/kb/shipped
COPY --from=build /out/team /app/kb/team
WORKDIR /app
ENV ERRKB_LISTEN=0.0.0.0:3000 \
    ERRKB_KB_DIR=/app/kb \
    ERRKB_DATABASE_URL=sqlite:/data/errkb.sqlite3 \
    ERRKB_LOG_FORMAT=json \
    ERRKB_HOT_RELOAD=true
USER nonroot
EXPOSE 3000
VOLUME ["/data"]
# No shell or curl here: the binary checks itself (GET /healthz on ERRKB_LISTEN; exit 0 or 1).
HEALTHCHECK --interval=10s --timeout=5s --start-period=15s --retries=3 CMD ["/usr/local/bin/errkb", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/errkb"]
CMD ["serve"]
