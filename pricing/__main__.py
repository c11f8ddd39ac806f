from pricing.cli import main
from pricing.entry import run

run(main)
