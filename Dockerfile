# StreamPulse in one container: the monitor, the web program under spawn-fcgi (4 workers) and
# nginx on port 8000. Configuration and data live in the volume /data (see docker-compose.yml).
#   docker compose up -d    then http://HOST:8000/ (admin / admin123: change it at once)

# ---- build ------------------------------------------------------------------------------------
FROM debian:12 AS build
# The build half of the Makefile's DEB_BUILD (keep in step with it).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
	build-essential pkg-config libavformat-dev libavcodec-dev libavutil-dev libswscale-dev \
	libcurl4-openssl-dev libfcgi-dev libyaml-dev libsqlite3-dev clearsilver-dev libcrypt-dev \
	libjansson-dev \
 && rm -rf /var/lib/apt/lists/*
# The program finds its templates at the path baked in at build time ($(CURDIR)/templates): the
# runtime image keeps the same layout under /opt/streampulse.
WORKDIR /opt/streampulse
# Sources only: a host's build/, data/ or tests/out/ must not end up in the image.
COPY Makefile config.yaml ./
COPY lib lib
COPY monitor monitor
COPY cgi-bin cgi-bin
COPY templates templates
COPY htdocs htdocs
COPY conf conf
RUN make -j"$(nproc)" build/release/streampulse-monitor build/release/streampulse.fcgi

# ---- run --------------------------------------------------------------------------------------
FROM debian:12-slim
# Shared libraries of the two programs, the web servers, CA certificates (https cameras are
# verified), zoneinfo (config key timezone) and curl for the health check.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
	libavformat59 libavcodec59 libavutil57 libswscale6 libcurl4 libfcgi0ldbl libyaml-0-2 \
	libsqlite3-0 libjansson4 nginx spawn-fcgi ca-certificates tzdata curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --user-group --home-dir /data --no-create-home --shell /usr/sbin/nologin \
	streampulse
WORKDIR /opt/streampulse
COPY --from=build /opt/streampulse/build/release/streampulse-monitor \
	/opt/streampulse/build/release/streampulse.fcgi build/release/
COPY --from=build /opt/streampulse/templates templates
COPY --from=build /opt/streampulse/htdocs htdocs
COPY --from=build /opt/streampulse/conf conf
COPY --from=build /opt/streampulse/config.yaml config.yaml
VOLUME /data
EXPOSE 8000
# Healthy when the database reads and the monitor wrote within three heartbeat intervals.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
	CMD curl -fsS -o /dev/null http://127.0.0.1:8000/api/health || exit 1
STOPSIGNAL SIGTERM
ENTRYPOINT ["/opt/streampulse/conf/docker-entrypoint.sh"]
