# Crier: TypeScript run through tsx (a runtime dependency), so no build stage.
FROM node:20-bookworm-slim

ENV NODE_ENV=production
WORKDIR /app

# Dependencies first, so a code change does not reinstall them.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY . .
# ./data (e-mail outbox, private Redis) is the only place Crier writes.
RUN mkdir -p /app/data && chown node:node /app/data

USER node
EXPOSE 8080
CMD ["node", "bin/crier.js", "start"]
