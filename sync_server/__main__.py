"""``python -m sync_server``: the admin CLI (see ``cli``)."""

import sys

from sync_server.cli import main

sys.exit(main())
