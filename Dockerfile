# StreamPulse image: the monitor, the web program (spawn-fcgi) and nginx, installed by `make install`.
# docker-compose.yml runs it twice over one volume: `monitor` and `web` (port 8000).
#   docker compose up -d    then http://HOST:8000/ (admin / admin123: change it at once)
# tests/t0830-docker.sh checks this file against the Makefile, ldd and docker-compose.yml.

# ---- build ------------------------------------------------------------------------------------
FROM debian:bookworm-slim AS build
# The -dev half of the Makefile's DEB_BUILD (t0830 checks they are all here).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
	build-essential pkg-config libavformat-dev libavcodec-dev libavutil-dev libswscale-dev \
	libcurl4-openssl-dev libfcgi-dev libyaml-dev libsqlite3-dev clearsilver-dev libcrypt-dev \
	libjansson-dev libmosquitto-dev zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# The tree minus .dockerignore (build/, data/, tests/out/, .git): the Makefile includes
# tests/fixtures/fixtures.mk, bench/bench.mk and tests/fuzz/fuzz.mk, so they come along.
COPY . .
# PREFIX on both: build-install bakes the installed paths (templates, config) into the programs.
RUN make -j"$(nproc)" build-install PREFIX=/usr \
 && make install PREFIX=/usr DESTDIR=/out \
 && install -D -m 0644 conf/nginx/test.conf.in /out/usr/share/streampulse/docker/nginx.conf.in \
 && install -D -m 0755 conf/docker-entrypoint.sh /out/usr/share/streampulse/docker/docker-entrypoint.sh

# ---- run --------------------------------------------------------------------------------------
FROM debian:bookworm-slim
# Runtime libraries of the two programs (ldd; t0830 maps each to its package), nginx and
# spawn-fcgi for the web, curl for the health check, CA certificates (https cameras are
# verified), zoneinfo (config key timezone). setpriv is in util-linux, part of every Debian.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
	libavformat59 libavcodec59 libavutil57 libswscale6 libcurl4 libfcgi0ldbl libyaml-0-2 \
	libsqlite3-0 libjansson4 libmosquitto1 libcrypt1 zlib1g \
	nginx spawn-fcgi curl ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --user-group --home-dir /var/lib/streampulse --no-create-home \
	--shell /usr/sbin/nologin streampulse
COPY --from=build /out/ /
# /data: where the first image mounted the volume; a config.yaml it wrote says data_dir: /data.
RUN mkdir -p /var/lib/streampulse /run/streampulse \
 && chown streampulse:streampulse /var/lib/streampulse \
 && ln -s /var/lib/streampulse /data
# The volume holds config.yaml (so the /config page can save it) and streams.db; the working
# folder is the volume, so `streampulse-monitor --users` finds config.yaml without -c.
VOLUME /var/lib/streampulse
WORKDIR /var/lib/streampulse
ENV STREAMPULSE_CONFIG=/var/lib/streampulse/config.yaml
EXPOSE 8000
# Healthy when the database reads and the monitor wrote within three heartbeat intervals.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
	CMD curl -fsS -o /dev/null http://127.0.0.1:8000/api/health || exit 1
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/share/streampulse/docker/docker-entrypoint.sh"]
CMD ["all"]
