# Credit Desk for scheduled runs (Cloud Run jobs, ECS scheduled tasks, Kubernetes CronJobs): the CLI only —
# no add-on, tests or bench. Every run starts from a fresh container, so it keeps nothing on its own disk: the
# usage files and the archive folder belong on a mounted durable volume (see docs/operations.md, "Unattended monthly
# runs"); the sheet itself, with its Ledger, is the rest of the record.

# Build stage: the CLI is one esbuild bundle (build/credit-desk.cjs). `npm ci` needs bin/ and the sources in
# place, because its `prepare` script builds that bundle, and esbuild is a dev dependency.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
COPY bin ./bin
COPY core ./core
COPY sync-service ./sync-service
RUN npm ci && test -f build/credit-desk.cjs

# Run stage: production dependencies only. --ignore-scripts: `prepare` would try to build again without
# esbuild (no production dependency needs an install script).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/bin ./bin
COPY --from=build /app/core ./core
COPY --from=build /app/sync-service ./sync-service
COPY --from=build /app/build ./build
# bin/credit-desk.cjs rebuilds the bundle when a source file is newer than it (there is no esbuild here, and
# /app is not writable by the run's user): make sure the bundle is the newest file.
RUN touch build/credit-desk.cjs

# /data is the working folder: usage-files/ and archive/ (mount durable storage and point
# CREDIT_DESK_USAGE_DIR / CREDIT_DESK_ARCHIVE_DIR at it) and, for a workbook run, the workbook.
RUN mkdir /data && chown node:node /data
USER node
WORKDIR /data

# Started by its first line, which carries the Node flags the CLI runs with (docs/decisions/0023).
ENTRYPOINT ["/app/bin/credit-desk.cjs"]
CMD ["run-month", "--log-format", "json"]
