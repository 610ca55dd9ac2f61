#!/bin/sh
# azd preprovision hook: make sure every value main.parameters.json needs is in the azd environment.
# Secrets: the current Key Vault value wins (so a secret rotated in the vault survives `azd provision`),
# else the value already in the azd environment, else a new random one (WEBHOOK_SECRET, AUTH_SECRET only).
set -eu
cd "$(dirname "$0")/../.."
. ./infra/scripts/lib.sh

ensure_secret() { # ENV_NAME VAULT_NAME GENERATE(yes|no)
  current=$(vault_secret "$2")
  if [ -z "$current" ]; then
    current=$(printenv "$1" || true)
  fi
  if [ -z "$current" ]; then
    [ "$3" = "yes" ] || die "$1 is not set. Run: azd env set $1 <value>   (then azd up again)"
    current=$(new_secret)
    note "$1: generated a new random value"
  fi
  azd env set "$1" "$current" >/dev/null
}

require() { # ENV_NAME HINT
  [ -n "$(printenv "$1" || true)" ] || die "$1 is not set ($2). Run: azd env set $1 <value>"
}

require MAYTAPI_PRODUCT_ID "the product id in your Maytapi console"
require MAYTAPI_PHONE_ID "the WhatsApp phone id in your Maytapi console"
require ALERT_EMAIL "the mailbox that receives poison-queue, dead-outbox and SQL alerts"
ensure_secret MAYT_API_TOKEN mayt-api-token no
ensure_secret WEBHOOK_SECRET webhook-secret yes
ensure_secret AUTH_SECRET auth-secret yes

if [ -z "${SQL_CLIENT_IP:-}" ] && [ "${SKIP_DB_SETUP:-false}" != "true" ]; then
  note "SQL_CLIENT_IP is not set: the post-deploy database script needs this machine's public IP in the SQL firewall."
  note "Set it with: azd env set SQL_CLIENT_IP <your public IPv4>   (or SKIP_DB_SETUP=true to run the script elsewhere)"
fi
note "azd environment ready for provisioning"
