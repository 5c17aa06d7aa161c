# One Dockerfile for every app. Build one app with its target, e.g.
#   docker build --target gateway -t llmgw/gateway .
# Targets: gateway, identity, keys, spend, notifier, mock-llm, migrate (runs identity, keys and spend
# migrations in order, then exits). Every target shares the `runtime` layers, so six images cost about
# the disk of one. docker-compose.yml builds all of them.
#
# Layout in every image (WORKDIR /app, run as the unprivileged `node` user):
#   /app/apps/<app>/dist/main.js     esbuild bundle: @llmgw/* workspace packages compiled in
#   /app/apps/<svc>/dist/migrate.js  identity, keys, spend: migrations bundled as a static record
#   /app/node_modules                production npm deps, flat ("hoisted"), shared by all bundles
#   /app/config.yaml                 default model config (CONFIG_FILE); compose mounts its own over it
#
# Why a flat node_modules instead of `pnpm deploy` per app: the bundles keep every npm dependency
# external, including the ones that only a workspace package declares (pg and kysely come from
# @llmgw/db, not from the app's package.json). With pnpm's isolated layout those are not resolvable
# from apps/<app>/dist; with node-linker=hoisted every one of them sits in /app/node_modules.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---------------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS build
# Keep in step with "packageManager" in package.json (pnpm 10 would otherwise fetch that exact version).
ARG PNPM_VERSION=10.34.9
ENV CI=1 \
    TURBO_TELEMETRY_DISABLED=1
RUN npm i -g pnpm@${PNPM_VERSION}
WORKDIR /src

# Download every package named by the lockfile first: this layer is reused until the lockfile changes.
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json ./
RUN pnpm fetch

# Full workspace install (dev deps included: esbuild, turbo, typescript), then bundle every app.
COPY . .
RUN pnpm install --frozen-lockfile --offline
RUN pnpm build

# Replace the dev install with production dependencies only, flat in /src/node_modules.
RUN rm -rf node_modules apps/*/node_modules packages/*/node_modules tooling/node_modules e2e/node_modules \
 && pnpm install --prod --frozen-lockfile --offline --config.node-linker=hoisted

# Assemble what the runtime needs in /out: root node_modules, each app's package.json and dist/ (any
# app under apps/ that has one), and an app's own node_modules only when pnpm had to nest a second
# version of a package there (@llmgw/* links are dropped: those packages are compiled into the bundles).
RUN set -eu; \
    mkdir -p /out/apps; \
    cp -a node_modules package.json config.yaml /out/; \
    for dir in apps/*/; do \
      app="$(basename "$dir")"; \
      [ -d "apps/$app/dist" ] || continue; \
      mkdir -p "/out/apps/$app"; \
      cp -a "apps/$app/package.json" "apps/$app/dist" "/out/apps/$app/"; \
      if [ -d "apps/$app/node_modules" ]; then \
        cp -a "apps/$app/node_modules" "/out/apps/$app/"; \
        rm -rf "/out/apps/$app/node_modules/@llmgw" "/out/apps/$app/node_modules/.bin"; \
        rmdir "/out/apps/$app/node_modules" 2>/dev/null || true; \
      fi; \
    done; \
    for app in gateway identity keys spend notifier mock-llm; do \
      test -f "/out/apps/$app/dist/main.js" || { echo "missing apps/$app/dist/main.js" >&2; exit 1; }; \
    done; \
    for svc in identity keys spend; do \
      test -f "/out/apps/$svc/dist/migrate.js" || { echo "missing apps/$svc/dist/migrate.js" >&2; exit 1; }; \
    done

# ---------------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0
WORKDIR /app
# Code is owned by root and read-only for the app user; only the mail outbox (notifier without
# SMTP_URL writes .eml files there) is writable.
COPY --from=build /out/ /app/
RUN mkdir -p /app/.mail-outbox && chown node:node /app/.mail-outbox
USER node

# ---------------------------------------------------------------------------------------------------
FROM runtime AS migrate
CMD ["sh", "-c", "node apps/identity/dist/migrate.js && node apps/keys/dist/migrate.js && node apps/spend/dist/migrate.js"]

FROM runtime AS identity
EXPOSE 4001
CMD ["node", "apps/identity/dist/main.js"]

FROM runtime AS keys
EXPOSE 4002
CMD ["node", "apps/keys/dist/main.js"]

FROM runtime AS spend
EXPOSE 4003
CMD ["node", "apps/spend/dist/main.js"]

FROM runtime AS notifier
EXPOSE 4004
CMD ["node", "apps/notifier/dist/main.js"]

FROM runtime AS mock-llm
EXPOSE 4010
CMD ["node", "apps/mock-llm/dist/main.js"]

# Last, so that a plain `docker build .` produces the gateway.
FROM runtime AS gateway
EXPOSE 4000
CMD ["node", "apps/gateway/dist/main.js"]
