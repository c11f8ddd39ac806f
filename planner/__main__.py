from foundation.cli import run
from planner.cli import main

run(main)
