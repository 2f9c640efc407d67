# Credit Desk for scheduled runs (Cloud Run jobs, ECS scheduled tasks, Kubernetes CronJobs): the CLI only —
# no add-on, tests or bench. Every run starts from a fresh container, so it keeps nothing on its own disk
# except the usage files, which belong on a mounted durable volume (see the README, "Unattended monthly runs").
FROM node:20-bookworm-slim

WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY tsconfig.json ./
COPY bin ./bin
COPY core ./core
COPY sync-service ./sync-service

# /data is the working folder: usage-files/ (mount durable storage here) and, for a workbook run, the workbook.
RUN mkdir /data && chown node:node /data
USER node
WORKDIR /data

ENTRYPOINT ["node", "/app/bin/credit-desk.cjs"]
CMD ["run-month", "--log-format", "json"]
