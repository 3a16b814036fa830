import sys

from paperdeck.tui.cli import main

sys.exit(main())
