from foundation.cli import run
from pricing.cli import main

run(main)
