#!/usr/bin/env python
"""Django's manage.py; `qz` is the friendlier entry point to the same commands."""

import sys

from qingzhuang.cli import main

if __name__ == "__main__":
    sys.exit(main())
