# livehost render host: reference renderer, ffmpeg encoder, RTMP publish to the gateway.
# Build from the repository root:  docker build -f docker/render-bridge.Dockerfile -t livehost/render-bridge .
FROM node:20-bookworm-slim

# ffmpeg encodes and publishes (Debian's build includes h264_nvenc, used when the
# container is given an NVIDIA GPU with the "video" capability); DejaVu Sans is the
# font the captions are drawn with.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

ENV NODE_ENV=production \
    LIVEHOST_DATA_DIR=/data

WORKDIR /app

COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY tsconfig.json ./
COPY protocol/ protocol/
# The RTMP publisher (shared with the gateway): the key goes over the socket, never to ffmpeg.
COPY media/ media/
COPY render-bridge/ render-bridge/

# Reads the audio the workers write under /data/assets (shared volume).
RUN mkdir -p /data && chown node:node /data
USER node

# No HTTP endpoint: it is a client of the server (LIVEHOST_SERVER_URL, LIVEHOST_HOST_TOKEN).
CMD ["node", "--import", "tsx", "render-bridge/main.ts"]
