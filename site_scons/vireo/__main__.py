"""`python3 -m vireo` is `./vireo` without the package installer."""
import sys

from .cli import main

sys.exit(main())
