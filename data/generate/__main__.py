"""python -m data.generate OUT_DIR [--samples DIR]"""

import sys

from data.generate import main

sys.exit(main())
