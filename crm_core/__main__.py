"""`python -m crm_core …`: the command line (see crm_core.cli).

Run with an interpreter that lacks the project's packages (a bare `python`, as the parse scorer uses) from a
checkout that has `.venv`, it re-runs itself with the project's interpreter instead of failing on an import.
"""

import os
import sys
from pathlib import Path


def _project_python() -> str | None:
    venv = Path(__file__).resolve().parent.parent / ".venv" / "bin" / "python"
    if venv.exists() and Path(sys.prefix).resolve() != venv.parent.parent.resolve():
        return str(venv)
    return None


try:
    import phonenumbers  # noqa: F401  (cheap probes for "are the project's packages here?")
    import rapidfuzz  # noqa: F401
    import sqlalchemy  # noqa: F401
except ModuleNotFoundError:
    project_python = _project_python()
    if project_python is None:
        raise
    os.execv(project_python, [project_python, "-m", "crm_core", *sys.argv[1:]])  # noqa: S606

from crm_core.cli import main  # noqa: E402

sys.exit(main())
