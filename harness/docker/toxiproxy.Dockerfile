# faultline's embedded Toxiproxy-compatible server (the Toxiproxy v2 HTTP API), for containers.
# Takes the same arguments as Shopify's image (-host, -port, -config), so compose files can use
# either: TOXIPROXY_IMAGE=faultline-toxiproxy or ghcr.io/shopify/toxiproxy.
# Build context: the project root, after `npx tsc -p .` (`npm run images` builds it).
ARG BASE_IMAGE=node:20-slim
FROM ${BASE_IMAGE}
WORKDIR /app
COPY package.json ./
COPY dist/core ./dist/core
COPY dist/harness/proxy ./dist/harness/proxy
COPY dist/harness/docker/toxiproxy-main.js ./dist/harness/docker/toxiproxy-main.js
EXPOSE 8474
ENTRYPOINT ["node", "dist/harness/docker/toxiproxy-main.js"]
CMD ["-host=0.0.0.0"]
