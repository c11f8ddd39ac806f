"""Eval results in: per-sample scores from the tools teams use, turned into accuracy figures.

- `samples`: the common per-sample record every loader produces, and the tools' score words;
- `inspect_log`: Inspect AI logs (.eval zip, .json);
- `promptfoo`: promptfoo result JSON;
- `harness`: lm-evaluation-harness results_*.json with its samples_<task>_*.jsonl;
- `plain`: a plain per-sample CSV (task_class, model, sample_id, score);
- `mapping`: eval task -> task class, eval model name -> catalog model (pricing.resolve);
- `figures`: accuracy per class and model with n, a Wilson interval and the date;
- `store`: the per-sample results kept, one CSV per import under the data folder;
- `evidence`: production, eval and public figures laid in their stated precedence, and the
  confidence setting (each figure at the low end of its interval).
"""

from planner.evals.figures import EvalFigure, figures_of, wilson
from planner.evals.loaders import load_eval_file
from planner.evals.mapping import EvalMapping, load_eval_mapping
from planner.evals.samples import EvalRun, EvalSample

__all__ = [
    "EvalFigure",
    "EvalMapping",
    "EvalRun",
    "EvalSample",
    "figures_of",
    "load_eval_file",
    "load_eval_mapping",
    "wilson",
]
