"""The planner's commands, one module each: `solve`, `frontier`, `forecast`, `roi`, `quality`.

Each module has `register(sub)` (its options) and `run(args)` (read inputs, call the
planner, print through `planner.report`); `common` holds the inputs they share.
"""
