"""`python -m crm_core …`: the command line (see crm_core.cli)."""

import sys

from crm_core.cli import main

sys.exit(main())
