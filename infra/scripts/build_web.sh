#!/bin/sh
# azd prepackage hook of the `web` service: build the dashboard (web/dist) against the deployed API.
# SERVICE_API_URI comes from the provisioning outputs (infra/main.bicep); TEAM_TIMEZONE from the azd environment.
set -eu
cd "$(dirname "$0")/../.."
if [ -z "${SERVICE_API_URI:-}" ]; then
  echo "build_web: SERVICE_API_URI is not set; run \`azd provision\` first" >&2
  exit 1
fi
npm ci --no-audit --no-fund --loglevel=error
CRM_API_BASE="$SERVICE_API_URI" CRM_TEAM_TIMEZONE="${TEAM_TIMEZONE:-Asia/Kolkata}" npm run -s build:web
# Static Web Apps compresses on its own edge: upload only the originals.
find web/dist -name '*.gz' -delete
find web/dist -name '*.br' -delete
