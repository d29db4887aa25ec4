"""`python -m eosdnn` is the `eosdnn` command."""

import sys

from eosdnn.cli import main

sys.exit(main())
