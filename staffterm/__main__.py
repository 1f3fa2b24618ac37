"""``python -m staffterm``: the same as the ``staffterm`` command."""

import sys

from staffterm.cli.main import main

sys.exit(main())
