# livehost server: Fastify REST + WebSocket hubs, serves the console.
# Build from the repository root:  docker build -f docker/server.Dockerfile -t livehost/server .

# Stage 1: the operator console. vite and React are dev dependencies, so the bundle is
# built here with the full install and only dist/console goes on to the image.
FROM node:20-bookworm-slim AS console
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json vite.config.ts ./
COPY protocol/ protocol/
COPY console/ console/
# A production bundle whatever NODE_ENV says (build.mjs sets it for vite), with .br/.gz copies.
RUN node console/build.mjs && test -f dist/console/index.html

FROM node:20-bookworm-slim

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    LIVEHOST_DATA_DIR=/data

WORKDIR /app

# Dependencies first, so a source change does not reinstall them. tsx is a runtime
# dependency: the image runs the TypeScript sources as they are, like `npm start` does.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY tsconfig.json ./
# The server's own folder and the shared libraries it imports.
COPY protocol/ protocol/
COPY assets/ assets/
COPY moderation/ moderation/
COPY retrieval/ retrieval/
COPY server/ server/
COPY console/ console/
# Without it /console/ answers 503 ("not built"): this image has no vite to build it.
COPY --from=console /build/dist/console/ dist/console/

# The app stays root-owned (read-only to the process); only the data dir is writable.
RUN mkdir -p /data && chown node:node /data
USER node

EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

CMD ["node", "--import", "tsx", "server/main.ts"]
