"""`python -m eosdnn` is the `eosdnn` command."""

import sys

from eosdnn.entry import main

sys.exit(main())
