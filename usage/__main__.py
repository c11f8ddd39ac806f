from pricing.entry import run
from usage.cli import main

run(main)
