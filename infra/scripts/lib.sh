# Shared helpers for the azd hooks (POSIX sh). azd exports the environment's values to hooks as variables.

die() {
  echo "ERROR: $*" >&2
  exit 1
}

note() {
  echo "==> $*"
}

# vault_secret NAME: print the current value of a Key Vault secret, or nothing if the vault/secret/az is missing.
vault_secret() {
  [ -n "${AZURE_KEY_VAULT_NAME:-}" ] || return 0
  command -v az >/dev/null 2>&1 || return 0
  az keyvault secret show --vault-name "$AZURE_KEY_VAULT_NAME" --name "$1" --query value -o tsv 2>/dev/null || true
}

# new_secret: 64 hex characters (256 bits) from the OS's CSPRNG, URL-safe as it is.
new_secret() {
  if command -v openssl >/dev/null 2>&1; then
    openssl rand -hex 32
  else
    python3 -c 'import secrets; print(secrets.token_hex(32))'
  fi
}

# python_bin: the project's venv if present, else python3 (needs requirements.txt installed).
python_bin() {
  if [ -x ./.venv/bin/python ]; then
    echo ./.venv/bin/python
  else
    echo python3
  fi
}
