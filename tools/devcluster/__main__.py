"""`python -m tools.devcluster` (`make cluster`): see `tools/devcluster/up.py`."""

from __future__ import annotations

import sys

from tools.devcluster.up import main

sys.exit(main())
