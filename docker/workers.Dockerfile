# livehost workers: BullMQ qa (answers) and tts (voices, visemes) workers.
# Build from the repository root:  docker build -f docker/workers.Dockerfile -t livehost/workers .
FROM node:20-bookworm-slim

# flite (English, phoneme timings) and espeak-ng (other languages) are the embedded
# voices; ffmpeg encodes their audio.
RUN apt-get update \
 && apt-get install -y --no-install-recommends flite espeak-ng ffmpeg \
 && rm -rf /var/lib/apt/lists/*

ENV NODE_ENV=production \
    LIVEHOST_DATA_DIR=/data

WORKDIR /app

COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY tsconfig.json ./
# The workers' own folder and the shared libraries they import.
COPY protocol/ protocol/
COPY assets/ assets/
COPY moderation/ moderation/
COPY retrieval/ retrieval/
COPY workers/ workers/

# The local asset store writes under /data/assets; mount the volume the render hosts read.
RUN mkdir -p /data && chown node:node /data
USER node

# No HTTP endpoint: Compose / the orchestrator watches the process itself.
CMD ["node", "--import", "tsx", "workers/main.ts"]
