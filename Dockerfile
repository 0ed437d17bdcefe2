# Serving image for the churn API. Not built on the development machine (no Docker engine there); kept minimal.
# Build after training:  npm start   (writes artifacts/model.json)
#                        docker build -t churn-api .
# Run:                   docker run -p 8000:8000 churn-api
# Node 24 is the supported LTS line (20 reached its end of life in April 2026); the code also runs on Node >= 20.19.
# Stage 1 compiles the TypeScript and drops dev dependencies (danfo, tslab, TypeScript never reach the runtime image).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
COPY patches ./patches
COPY lib ./lib
COPY test ./test
# Dependencies' install scripts are skipped (only dev tools such as tslab's zeromq have any); the project's own steps
# run explicitly: apply patches/ (patch-package), compile, then prune every dev dependency.
RUN npm ci --ignore-scripts && npx patch-package && npm run build && npm prune --omit=dev
# onnxruntime-node (churn predict --engine onnx) ships every platform's build; keep this image's only (~45 MB of ~290).
RUN find node_modules/onnxruntime-node/bin/napi-v6 -mindepth 2 -maxdepth 2 ! -path "*/linux/$(node -p process.arch)" -exec rm -rf {} +

# Stage 2: the runtime, as the unprivileged `node` user, with the model baked in (its checksum is verified at start).
FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/lib ./dist/lib
COPY bin ./bin
COPY artifacts/model.json ./model/model.json
USER node
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=2s --start-period=10s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:8000/ready').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
# SIGTERM from `docker stop` drains in-flight requests (graceful shutdown in lib/serving/cluster.ts).
CMD ["node", "bin/churn.js", "serve", "--model", "model/model.json", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
