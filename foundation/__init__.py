"""Shared foundations of the three core packages: errors, strict input types, table reading,
formatting, paths and command-line helpers. `pricing`, `planner` and `usage` import these,
not each other, for them; this package imports none of them."""
