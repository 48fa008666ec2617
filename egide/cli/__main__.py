import sys

from egide.cli import main

sys.exit(main())
