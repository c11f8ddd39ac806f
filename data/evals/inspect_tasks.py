"""An illustrative Inspect AI task run against the offline mock model (mockllm/model).

The mock model answers every prompt with "Default output from mockllm/model"; `includes()`
scores a sample correct when the target text is in that answer. The targets are chosen so
that some samples pass and some fail: the scores are real output of the tool, the task is not.
"""

from inspect_ai import Task, task
from inspect_ai.dataset import Sample
from inspect_ai.scorer import includes
from inspect_ai.solver import generate


@task
def ticket_triage():
    samples = [
        Sample(
            id=f"ticket-{i:03d}",
            input=f"Route ticket {i}",
            target="Default" if i % 5 else "billing",
        )
        for i in range(1, 41)
    ]
    return Task(dataset=samples, solver=generate(), scorer=includes())


@task
def code_review():
    samples = [
        Sample(id=f"pr-{i:03d}", input=f"Review PR {i}", target="output" if i % 3 else "bug")
        for i in range(1, 31)
    ]
    return Task(dataset=samples, solver=generate(), scorer=includes())
