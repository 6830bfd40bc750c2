# warden: multi-stage build. The runtime image holds only the binary and CA
# certificates and runs as the unprivileged user `warden`.
#
#   docker build -t warden .
#   docker run --rm -p 8080:8080 -e NATS_URL=nats://nats:4222 -e REDIS_HOST=redis \
#     -e WARDEN_API_TOKENS=<16+ chars> warden
#
# Without WARDEN_API_TOKENS (or WARDEN_TOKENS_FILE) warden refuses to listen on
# 0.0.0.0: set tokens, or WARDEN_HTTP_ADDR=127.0.0.1:8080 for a local-only run.

FROM rust:1-bookworm AS builder
WORKDIR /build

# Dependencies first, in their own layer: rebuilt only when the manifests change.
COPY Cargo.toml Cargo.lock ./
COPY benches ./benches
RUN mkdir src \
 && echo 'fn main() {}' > src/main.rs \
 && touch src/lib.rs \
 && cargo build --release --locked \
 && rm -rf src target/release/.fingerprint/warden-* target/release/deps/warden-* target/release/deps/libwarden-*

COPY . .
RUN cargo build --release --locked \
 && install -m 0755 target/release/warden /usr/local/bin/warden

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 warden \
 && useradd --system --uid 10001 --gid warden --home-dir /nonexistent --no-create-home \
      --shell /usr/sbin/nologin warden \
 && install -d -o warden -g warden /var/lib/warden /var/lib/warden/data
COPY --from=builder /usr/local/bin/warden /usr/local/bin/warden
COPY policy.example.toml /etc/warden/policy.example.toml

# warden reads .env from its working directory when present; none is baked in.
WORKDIR /var/lib/warden
USER warden:warden
# The audit spool lives in WARDEN_DATA_DIR: mount a volume there so it outlives the container.
ENV WARDEN_HTTP_ADDR=0.0.0.0:8080 \
    WARDEN_DATA_DIR=/var/lib/warden/data \
    WARDEN_LOG_FORMAT=json \
    RUST_LOG=info
EXPOSE 8080
STOPSIGNAL SIGTERM
# `warden serve` by default; `docker run warden redact < file` etc. also work.
ENTRYPOINT ["warden"]
CMD ["serve"]
