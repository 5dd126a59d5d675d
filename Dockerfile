# cxlemu: the emulated CXL switch CCI mailbox, served over websocket (protobuf) and REST.
#   docker build -t cxlemu .
#   docker run --rm -p 8080:8080 -e CXLEMU_TOKENS=change-me=full cxlemu
#   docker run --rm -p 8080:8080 -e CXLEMU_ALLOW_UNAUTHENTICATED=1 cxlemu
# It listens on 0.0.0.0, so it refuses to start with no token unless CXLEMU_ALLOW_UNAUTHENTICATED=1.
#   docker run --rm -p 8080:8080 -v "$PWD/config:/config:ro" -e CXLEMU_CONFIG=/config/cxlemu.yaml cxlemu

# ---- build: full dependencies, compile TypeScript to dist/ ----
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the package's `prepare` builds, and the sources are not copied in yet.
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
COPY emulator ./emulator
COPY bench ./bench
RUN npm run build

# ---- runtime: production dependencies and dist/ only, non-root ----
FROM node:24-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    CXLEMU_STATE=/state
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build, and a production install has neither sources nor tsc.
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
# The fixture library, so `docker run cxlemu node dist/emulator/cli.js run fixtures` works.
COPY fixtures ./fixtures
# Config (a cxlemu.yaml, topology files) and state are mounted, never baked in.
RUN mkdir -p /config /state && chown node:node /config /state
VOLUME ["/config", "/state"]
USER node
EXPOSE 8080
# Slim images have no curl: ask /healthz with node's own fetch.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/emulator/main.js"]
