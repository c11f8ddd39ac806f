"""The usage commands, one module per group: `imports` (import, imports, rules, models),
`reports` (summary, unresolved), `governance` (value, spikes, budgets, alerts) and
`planning` (plan-vs-actual, workload); `common` holds what they share (the store session,
the store and output options, the table output)."""
