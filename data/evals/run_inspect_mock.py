"""Run the illustrative tasks against Inspect AI's offline mock model.

Offline, tiktoken cannot download its o200k_base encoding, which Inspect uses only to
estimate token counts; a whitespace count stands in for it. Scores do not depend on it.
"""

import sys

import tiktoken
from inspect_ai import eval as inspect_eval


class _Words:
    def encode(self, text, **_):
        return text.split()


tiktoken.get_encoding = lambda name: _Words()
tiktoken.encoding_for_model = lambda name: _Words()

fmt = sys.argv[2]
inspect_eval(sys.argv[1], model="mockllm/model", log_dir="logs", log_format=fmt, display="plain")
