import sys

from jutong.cli import main

sys.exit(main())
