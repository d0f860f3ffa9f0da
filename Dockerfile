# syntax=docker/dockerfile:1
ARG NODE_IMAGE=node:22-bookworm-slim

# Build stage: dev dependencies, the C++ toolchain for better-sqlite3's native module, then tsc.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# prune keeps the compiled better-sqlite3 and drops everything only the build needed.
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# Runtime stage: production dependencies and dist/ only, owned by root, run as the unprivileged "node" user.
FROM ${NODE_IMAGE}
ENV NODE_ENV=production PORT=3000 CAPSTAN_CONFIG=/config/capstan.yml
WORKDIR /app
# DejaVu Sans draws the text of the stats chart (resvg draws no text without a font).
# Package managers are not needed to run Capstan; without them the image is smaller and scanners flag less.
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/* \
 && rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
      /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack \
      /opt/yarn-* /usr/local/bin/yarn /usr/local/bin/yarnpkg \
 && mkdir -p /app/data /config \
 && chown node:node /app/data
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER node
# SQLite ledger (storage.sqlite); a replica set shares the DynamoDB ledger instead.
VOLUME ["/app/data"]
EXPOSE 3000
# Slim images have no curl: Node's own fetch asks /healthz, which answers 200 once Capstan is ready.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# A 2 MB young generation and a heap that grows by a fifth over what a full collection keeps: memory
# stays low with 1,000 rollouts in flight, and it caps nothing (the heap grows with live data). As
# package.json's start; see the README's Benchmarks (memory, acknowledgement).
CMD ["node", "--max-semi-space-size=2", "--heap-growing-percent=20", "dist/main.js"]
