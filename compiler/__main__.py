"""`python -m compiler` is the same as the `katib-gitops` command."""

import sys

from compiler.cli import main

sys.exit(main())
