# livehost stream gateway: node-media-server RTMP ingest, HTTP-FLV / WS-FLV preview,
# forwarding to IVS and other RTMP(S) destinations.
# Build from the repository root:  docker build -f docker/stream-gateway.Dockerfile -t livehost/stream-gateway .
FROM node:20-bookworm-slim

# ffmpeg renders the slate and records shows. Destinations are published by the gateway
# process itself (media/rtmp), whose RTMPS checks certificates against Node's own CA store
# (NODE_EXTRA_CA_CERTS adds a private CA): no system CA bundle is needed.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg \
 && rm -rf /var/lib/apt/lists/*

ENV NODE_ENV=production \
    LIVEHOST_GATEWAY_HOST=0.0.0.0 \
    LIVEHOST_RTMP_PORT=1935 \
    LIVEHOST_GATEWAY_HTTP_PORT=8000 \
    LIVEHOST_DATA_DIR=/data

WORKDIR /app

COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY tsconfig.json ./
COPY protocol/ protocol/
COPY media/ media/
COPY stream-gateway/ stream-gateway/

# node-media-server keeps its publish history under /data/gateway.
RUN mkdir -p /data && chown node:node /data
USER node

EXPOSE 1935 8000
# The gateway has no health route, and an HTTP probe of any other path is logged as a
# refused play; so the probe checks that both listeners accept connections.
HEALTHCHECK --interval=15s --timeout=5s --start-period=15s --retries=3 \
  CMD ["node", "-e", "const net = require('node:net'); const e = process.env; const ports = [e.LIVEHOST_GATEWAY_HTTP_PORT || 8000, e.LIVEHOST_RTMP_PORT || 1935]; Promise.all(ports.map((p) => new Promise((ok, fail) => { const s = net.connect(Number(p), '127.0.0.1', () => { s.end(); ok(); }); s.on('error', fail); s.setTimeout(3000, () => { s.destroy(); fail(new Error('timeout')); }); }))).then(() => process.exit(0), () => process.exit(1));"]

CMD ["node", "--import", "tsx", "stream-gateway/main.ts"]
