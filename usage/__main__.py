from foundation.cli import run
from usage.cli import main

run(main)
