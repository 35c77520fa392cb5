# syntax=docker/dockerfile:1
# Voicebox Service image: Node 24 LTS, production dependencies only, non-root, port 8000 (metrics 9464).

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && rm dist/.tsbuildinfo && npm prune --omit=dev

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=8000 \
    METRICS_PORT=9464 \
    HOST=0.0.0.0 \
    VOICEBOX_DATA_DIR=/var/lib/voicebox
WORKDIR /app
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --chown=root:root package.json ./
COPY --chown=root:root config ./config
# The CK25 demo graph (CC BY 4.0, eccenca GmbH; attribution in data/ck25/README.md).
COPY --chown=root:root data ./data
# The embedded database and store keep their data here; mount a volume to keep it across restarts.
RUN mkdir -p /var/lib/voicebox && chown node:node /var/lib/voicebox
USER node
# 8000: the API; 9464: /metrics (METRICS_PORT), for the cluster network only.
EXPOSE 8000 9464
VOLUME ["/var/lib/voicebox"]
HEALTHCHECK --interval=15s --timeout=3s --start-period=40s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8000)+'/system/health').then(r=>process.exit(r.status===204?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "dist/main.js"]
