#!/bin/sh
# Rotate one of the app's secrets: a new Key Vault version, the azd environment updated, the app restarted so the
# Key Vault references resolve again; for the webhook secret, the new URL registered at Maytapi.
# Usage: infra/scripts/rotate_secret.sh webhook-secret|auth-secret [NEW_VALUE]
#        infra/scripts/rotate_secret.sh mayt-api-token NEW_VALUE
# It reads the azd environment's values from the shell, so export them first:
#   eval "$(azd env get-values)" && sh infra/scripts/rotate_secret.sh webhook-secret
set -eu
cd "$(dirname "$0")/../.."
. ./infra/scripts/lib.sh

name=${1:-}
value=${2:-}
case "$name" in
  webhook-secret) env_name=WEBHOOK_SECRET ;;
  auth-secret) env_name=AUTH_SECRET ;;
  mayt-api-token) env_name=MAYT_API_TOKEN; [ -n "$value" ] || die "give the new Maytapi token as the second argument" ;;
  *) die "usage: rotate_secret.sh webhook-secret|auth-secret|mayt-api-token [NEW_VALUE]" ;;
esac
[ -n "$value" ] || value=$(new_secret)
[ -n "${AZURE_KEY_VAULT_NAME:-}" ] || die "AZURE_KEY_VAULT_NAME is not set: eval \"\$(azd env get-values)\" first"

az keyvault secret set --vault-name "$AZURE_KEY_VAULT_NAME" --name "$name" --value "$value" --content-type text/plain -o none
azd env set "$env_name" "$value" >/dev/null
note "$name: new version stored in $AZURE_KEY_VAULT_NAME"
az functionapp restart --name "$AZURE_FUNCTION_APP_NAME" --resource-group "$AZURE_RESOURCE_GROUP" -o none
note "$AZURE_FUNCTION_APP_NAME restarted (Key Vault references re-read)"
if [ "$name" = "webhook-secret" ]; then
  ./infra/scripts/register_webhook.sh
fi
if [ "$name" = "auth-secret" ]; then
  note "Every frontend session signed with the old key is now invalid: users log in again."
fi
