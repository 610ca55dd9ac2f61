"""Regenerate the initial migration from the models (only until the first release; then add revisions)."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alembic import command

from crm_core.db.migrate import MIGRATIONS, alembic_config

target = MIGRATIONS / "versions" / "0001_initial_schema.py"
target.unlink(missing_ok=True)
with tempfile.TemporaryDirectory() as tmp:
    command.revision(alembic_config(f"sqlite:///{Path(tmp) / 'gen.db'}"), message="initial schema",
                     autogenerate=True, rev_id="0001")
subprocess.run([sys.executable, "-m", "ruff", "check", "--fix", "-q", str(target)], check=False)
subprocess.run([sys.executable, "-m", "ruff", "format", "-q", str(target)], check=False)
print(f"regenerated {target}")
