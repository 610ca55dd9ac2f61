#!/bin/sh
# Registers https://<function app>/api/webhook?secret=<WEBHOOK_SECRET> as the Maytapi product's webhook:
#   POST {MAYTAPI_BASE_URL}/{MAYTAPI_PRODUCT_ID}/setWebhook  {"webhook": "<url>"}  with header x-maytapi-key.
# The token and the secret are read from Key Vault (falling back to the azd environment), never printed.
set -eu
cd "$(dirname "$0")/../.."
. ./infra/scripts/lib.sh

: "${MAYTAPI_BASE_URL:=https://api.maytapi.com/api}"
[ -n "${MAYTAPI_PRODUCT_ID:-}" ] || die "MAYTAPI_PRODUCT_ID is not set"
[ -n "${SERVICE_API_URI:-}" ] || die "SERVICE_API_URI is not set (run azd provision first)"

token=$(vault_secret mayt-api-token)
[ -n "$token" ] || token=${MAYT_API_TOKEN:-}
secret=$(vault_secret webhook-secret)
[ -n "$secret" ] || secret=${WEBHOOK_SECRET:-}
[ -n "$token" ] || die "no Maytapi token: neither Key Vault (mayt-api-token) nor MAYT_API_TOKEN has one"
[ -n "$secret" ] || die "no webhook secret: neither Key Vault (webhook-secret) nor WEBHOOK_SECRET has one"

# JSON body built by Python so the URL is percent-encoded and JSON-escaped whatever the secret holds.
body=$(WEBHOOK_BASE="${SERVICE_API_URI%/}" WEBHOOK_SECRET_VALUE="$secret" python3 -c '
import json, os, urllib.parse
url = os.environ["WEBHOOK_BASE"] + "/api/webhook?secret=" + urllib.parse.quote(os.environ["WEBHOOK_SECRET_VALUE"], safe="")
print(json.dumps({"webhook": url}))')

response=$(printf '%s' "$body" | curl -sS --max-time 30 -X POST \
  -H "Content-Type: application/json" -H "x-maytapi-key: $token" \
  --data-binary @- "${MAYTAPI_BASE_URL%/}/${MAYTAPI_PRODUCT_ID}/setWebhook") || die "could not reach Maytapi"

case "$response" in
  *'"success":true'* | *'"success": true'*)
    note "Maytapi webhook registered: ${SERVICE_API_URI%/}/api/webhook?secret=***"
    ;;
  *)
    die "Maytapi refused the webhook: $response"
    ;;
esac
