# gessd on Debian 12 (bookworm). Two stages: build with the -dev packages,
# run with only the shared libraries, as an unprivileged user.
#
#   docker build -t gess .
#   docker run -e GESS_DATABASE_URL=postgresql://gess:PASS@10.0.0.5:5432/gess -p 8080:8080 gess
#
# With no arguments the container runs `gessd migrate`, then `gessd serve`;
# with arguments it runs `gessd ARGS...` (e.g. `admin create --email E --name N`,
# or `notify`, the outbox's mail sender: docker-compose.yml runs one).
# libcurl4 is notify's SMTP client; ca-certificates verify the relay's TLS.

FROM debian:bookworm AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        build-essential pkg-config libevent-dev libpq-dev libsodium-dev \
        libjansson-dev libzxcvbn-dev libical-dev libcurl4-openssl-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Only what `make` reads: migrations and the OpenAPI document are compiled in.
COPY Makefile ./
COPY services ./services
COPY schema ./schema
COPY tools ./tools
RUN make -j"$(nproc)" && ./build/gessd routes >/dev/null

FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libevent-2.1-7 libevent-pthreads-2.1-7 libpq5 libsodium23 libjansson4 libzxcvbn0 \
        libical3 libcurl4 ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --user-group --no-create-home --home-dir /srv/gess \
        --shell /usr/sbin/nologin gess \
 && mkdir -p /srv/gess/config
COPY --from=build /src/build/gessd /usr/local/bin/gessd
# gessd reads config/gess.conf relative to this directory when it exists
# (mount one at /srv/gess/config/gess.conf); GESS_<KEY> variables override it.
WORKDIR /srv/gess
USER gess
ENV GESS_LISTEN=0.0.0.0:8080
EXPOSE 8080
# SIGTERM (docker stop) lets gessd finish requests in flight, bounded by
# shutdown_timeout_ms (10 s by default): give the container a longer stop timeout.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/bin/sh", "-c", "if [ $# -eq 0 ]; then gessd migrate && exec gessd serve; else exec gessd \"$@\"; fi", "gessd"]
