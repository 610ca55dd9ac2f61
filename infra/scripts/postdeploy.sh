#!/bin/sh
# azd postdeploy hook: (1) create the managed identity's database user, (2) run the migrations, both as the
# SQL Entra admin with a token from your az login; (3) register the webhook URL with its secret at Maytapi.
# SKIP_DB_SETUP=true or SKIP_WEBHOOK_REGISTRATION=true skip a step (e.g. when the SQL firewall does not admit you).
set -eu
cd "$(dirname "$0")/../.."
. ./infra/scripts/lib.sh

PY=$(python_bin)

if [ "${SKIP_DB_SETUP:-false}" != "true" ]; then
  for v in AZURE_SQL_SERVER_FQDN AZURE_SQL_DATABASE_NAME AZURE_MANAGED_IDENTITY_NAME AZURE_MANAGED_IDENTITY_CLIENT_ID; do
    [ -n "$(printenv "$v" || true)" ] || die "$v is not set (run azd provision first)"
  done
  note "Database user for $AZURE_MANAGED_IDENTITY_NAME on $AZURE_SQL_SERVER_FQDN/$AZURE_SQL_DATABASE_NAME"
  "$PY" infra/scripts/run_sql.py --server "$AZURE_SQL_SERVER_FQDN" --database "$AZURE_SQL_DATABASE_NAME" \
    --file infra/scripts/create_db_user.sql \
    --var "IDENTITY_NAME=$AZURE_MANAGED_IDENTITY_NAME" --var "IDENTITY_CLIENT_ID=$AZURE_MANAGED_IDENTITY_CLIENT_ID"
  note "Migrations (alembic upgrade head)"
  DATABASE_URL=$("$PY" -c 'import sys; sys.path.insert(0, "infra/scripts"); from run_sql import azure_sql_url; print(azure_sql_url(sys.argv[1], sys.argv[2]))' \
    "$AZURE_SQL_SERVER_FQDN" "$AZURE_SQL_DATABASE_NAME") "$PY" -m crm_core db upgrade
else
  note "SKIP_DB_SETUP=true: database user and migrations skipped"
fi

if [ "${SKIP_WEBHOOK_REGISTRATION:-false}" != "true" ]; then
  ./infra/scripts/register_webhook.sh
else
  note "SKIP_WEBHOOK_REGISTRATION=true: Maytapi webhook not registered"
fi
