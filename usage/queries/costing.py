"""How a usage row is costed and attributed, in portable SQL: the CTEs every report shares.

How a row is costed (the math the SQL carries out):

    list_cost = ((input - audio_in) x r_in + audio_in x r_audio_in + cached_input x r_cached
                 + (cache_write - write_1h) x r_write + write_1h x r_write_1h
                 + (output - audio_out) x r_out + audio_out x r_audio_out) / 1e6
                + requests x r_request / 1000

with the rates of the price-sheet version in force on the row's day (`price_days`: one row
per provider, model and day, expanded from the sheets' effective dates, so that the lookup is
an equality join). The rate set is the batch one when the row is batch; else the row's
service tier's (flex, priority) where the model prices it; else the time-of-day window the
row's hour falls in (DeepSeek; `price_extras` holds tiers and windows); else the standard
one. Each is taken at long context when the row says so or when a single request's prompt
(input + cached + cache-write tokens) exceeds the model's threshold (batch and tiers scaled
by the long-context factor, as `pricing.costing.rates_for` does). Missing cached or
cache-write prices fall back to the input price, as in `pricing.costing`. The audio part of
the input and output tokens (`audio_in`, `audio_out`, at most the whole), the 1-hour part of
the cache writes (`write_1h`) and the requests pay the model's audio, 1-hour and per-request
rates (`r_request`: USD per thousand requests) where it has them; where it has none, the
part pays the rate of the whole (text, 5-minute) and a request no fee. A row whose model
is not resolved, or has no price on its day, gets NULL, never 0. What the catalog cannot
price (a tier it lacks, an unknown hour, audio, 1-hour cache writes or request fees of a
model without such a price) is priced at the standard rate and said in `pricing_note`.

What was spent: the billed cost where the row has one; 0 for a token row on a provider's day
that a cost export covers (its cost lines carry that day's spend); else the list cost.
"""

from __future__ import annotations

RATE_KINDS = ("in", "out", "cr", "cw")  # input, output, cache read, cache write
# Rates of parts priced apart: audio input, audio output, 1-hour cache write (USD per million
# tokens), and the fee per request (USD per thousand requests); NULL where the model has none.
APART_RATE_KINDS = ("ai", "ao", "cw1h", "rq")
RATE_SETS = ("std", "bat", "lc", "lcb")  # standard, batch, long context, batch at long context
TOKEN_COLUMNS = (
    "input_tokens",
    "cached_input_tokens",
    "cache_write_tokens",
    "output_tokens",
)
ATTRIBUTE_COLUMNS = ("project", "user_id", "api_key", "workspace", "team", "tags", "task_class")
RULE_FIELDS = ("api_key", "project", "user", "workspace", "tag")
# The token rates of every set (price_intervals and, by day, price_days), and the apart
# rates of every set (layout 7: price_intervals only, joined on the row's sheet version).
TOKEN_RATE_COLUMNS = tuple(f"{s}_{k}" for s in RATE_SETS for k in RATE_KINDS)
APART_RATE_COLUMNS = tuple(f"{s}_{k}" for s in RATE_SETS for k in APART_RATE_KINDS)
RATE_COLUMNS = TOKEN_RATE_COLUMNS + APART_RATE_COLUMNS  # price_intervals' rate columns


# Parts of the token columns that some models price apart (audio in input and output tokens,
# 1-hour writes in cache writes): summed per period, priced at their own rate where the
# catalog has one, flagged where it has none.
APART_COLUMNS = ("audio_input_tokens", "audio_output_tokens", "cache_write_1h_tokens")
STANDARD_TIER_SQL = (
    "('', 'default', 'auto', 'standard', 'standard_only', 'on_demand', "
    "'on-demand', 'batch')"
)  # pricing.costing.STANDARD_TIERS
# Providers whose requests carry a fee: a row of theirs whose model has no per-request price
# in the catalog is flagged (its fee is not counted).
REQUEST_FEE_PROVIDERS = ("perplexity",)


def _long(prompt_condition: str) -> str:
    return f"(x.lc_above IS NOT NULL AND (x.long_context OR {prompt_condition}))"


PER_ROW_PROMPT = (
    "(x.requests = 1 AND x.input_tokens + x.cached_input_tokens + x.cache_write_tokens"
    " > x.lc_above)"
)
ROLLUP_PROMPT = "(x.prompt_over >= x.lc_above)"


def clock_sql(row: str, slots: str) -> str:
    """Which of a model's time-of-day prices a row pays (`slots`: the model's 48 half hours,
    see usage.price_tables.price_extra_rows): '0' the list price, '1', '2', ... a window,
    '?' not known, priced at the list price and flagged; NULL for a model without windows.

    A row's moment is known when it is one request (grain 'request', or no grain and
    `requests` = 1: its timestamp); an hour bucket pays a window when both its half hours
    are in it and the list price when neither is; a day or month bucket is not known.
    """
    slot = (f"CAST(EXTRACT(HOUR FROM {row}ts) * 2 + floor(EXTRACT(MINUTE FROM {row}ts) / 30)"
            " AS INTEGER)")  # fmt: skip
    first = f"substr({slots}, {slot} + 1, 1)"
    second = f"substr({slots}, ({slot} + 1) % 48 + 1, 1)"
    one = f"({row}grain = 'request' OR (COALESCE({row}grain, '') = '' AND {row}requests = 1))"
    return (
        f"CASE WHEN {slots} IS NULL THEN NULL WHEN {one} THEN {first} "
        f"WHEN {row}grain = 'hour' AND {first} = {second} THEN {first} ELSE '?' END"
    )


def moment_sql(row: str) -> str:
    """What `clock_sql` needs of a row's time, as one integer a sum can be grouped by: its
    half hour (0-47) when it is one request, 100 + its first half hour when it is an hour
    bucket, -1 when its moment is not known. `clock_of_moment_sql` then gives the same code
    as `clock_sql` (rows of one moment share it)."""
    slot = (f"CAST(EXTRACT(HOUR FROM {row}ts) * 2 + floor(EXTRACT(MINUTE FROM {row}ts) / 30)"
            " AS INTEGER)")  # fmt: skip
    one = f"({row}grain = 'request' OR (COALESCE({row}grain, '') = '' AND {row}requests = 1))"
    return f"CASE WHEN {one} THEN {slot} WHEN {row}grain = 'hour' THEN 100 + {slot} ELSE -1 END"


def clock_of_moment_sql(moment: str, slots: str) -> str:
    """`clock_sql` from a `moment_sql` value: a half hour's window, an hour's window when
    both its half hours are in it, else '?'; NULL for a model without windows."""
    first = f"substr({slots}, {moment} - 99, 1)"
    second = f"substr({slots}, ({moment} - 99) % 48 + 1, 1)"
    return (
        f"CASE WHEN {slots} IS NULL THEN NULL "
        f"WHEN {moment} BETWEEN 0 AND 47 THEN substr({slots}, {moment} + 1, 1) "
        f"WHEN {moment} >= 100 AND {first} = {second} THEN {first} ELSE '?' END"
    )


def list_cost_sql() -> str:
    """The list cost of the row `x` at the rates it pays (`x.rate_in`, ..., see `rates_sql`;
    NULL when unpriced). A row of requests with no tokens (a FOCUS export counted in
    requests, say) has no list cost: the catalog prices tokens, and a list cost of zero would
    show its whole bill as variance. A part priced apart (audio, 1-hour writes) pays its own
    rate, or the whole's where the model has none; requests pay the fee where it has one.
    """
    terms = ["x.cached_input_tokens * x.rate_cr"]
    for whole, part, kind, apart in APART_PARTS:
        share = f"least(x.{part}, x.{whole})"  # a part never exceeds its whole
        terms += [
            f"(x.{whole} - {share}) * x.rate_{kind}",
            f"{share} * COALESCE(x.rate_{apart}, x.rate_{kind})",
        ]
    fees = "x.requests * COALESCE(x.rate_rq, 0) / 1000.0"
    no_tokens = " + ".join(f"x.{col}" for col in TOKEN_COLUMNS) + " = 0 AND x.requests > 0"
    return (
        f"CASE WHEN x.std_in IS NULL OR ({no_tokens}) THEN NULL "
        f"ELSE ({' + '.join(terms)}) / 1000000.0 + {fees} END"
    )


# (whole token column, its part priced apart, the whole's rate kind, the part's rate kind)
APART_PARTS = (
    ("input_tokens", "audio_input_tokens", "in", "ai"),
    ("cache_write_tokens", "cache_write_1h_tokens", "cw", "cw1h"),
    ("output_tokens", "audio_output_tokens", "out", "ao"),
)


def rates_sql(long: str = "x.is_long", apart_from: str = "a") -> str:
    """The rates the row `x` pays, one column `rate_<kind>` per kind, on its service tier `t`
    and time-of-day window `w` where it has them; `long` says whether the row pays
    long-context rates (`is_long`, see `_long`). The token rates are the row's own (from
    `price_days`), the apart rates those of its sheet version `a` (`price_intervals`: they
    are not expanded by day, which would widen the largest table for rates few models have).
    Computed once per row, for the list cost and the note alike.

    Which rate set: batch (scaled to long context when long), else the row's priced service
    tier, else its time-of-day window, else long context or standard, as
    `pricing.costing.rates_at` chooses."""

    def rate(kind: str, s: str = "x") -> str:
        return (
            f"CASE WHEN x.batch AND {long} THEN {s}.lcb_{kind} WHEN x.batch THEN {s}.bat_{kind} "
            f"WHEN t.kind IS NOT NULL AND {long} THEN t.l_{kind} "
            f"WHEN t.kind IS NOT NULL THEN t.r_{kind} "
            f"WHEN w.kind IS NOT NULL AND {long} THEN w.l_{kind} "
            f"WHEN w.kind IS NOT NULL THEN w.r_{kind} "
            f"WHEN {long} THEN {s}.lc_{kind} ELSE {s}.std_{kind} END"
        )

    apart = [f"{rate(k, apart_from)} AS rate_{k}" for k in APART_RATE_KINDS]
    return ", ".join([*(f"{rate(k)} AS rate_{k}" for k in RATE_KINDS), *apart])


def pricing_note_sql() -> str:
    """What a priced row's list cost leaves out, in words (NULL: priced exactly): a service
    tier, an hour, audio tokens, 1-hour cache writes or a request fee the catalog has no
    price for (for this row's model and rate set). Such rows are priced at the standard rate
    of what the catalog does have."""
    tier = "lower(trim(COALESCE(x.service_tier, '')))"
    fees = ", ".join(f"'{p}'" for p in REQUEST_FEE_PROVIDERS)
    notes = [
        f"CASE WHEN NOT x.batch AND {tier} NOT IN {STANDARD_TIER_SQL} AND x.tier_kind IS NULL "
        f"THEN 'priced as standard: no ' || {tier} || ' price in the catalog' END",
        "CASE WHEN x.clock_code = '?' THEN 'priced at the list price: the hour is not known "
        "and the model has time-of-day prices' END",
        "CASE WHEN (x.audio_input_tokens > 0 AND x.rate_ai IS NULL) OR "
        "(x.audio_output_tokens > 0 AND x.rate_ao IS NULL) THEN 'audio tokens "
        "priced as text: no audio price in the catalog' END",
        "CASE WHEN x.cache_write_1h_tokens > 0 AND x.rate_cw1h IS NULL THEN '1-hour cache "
        "writes priced at the 5-minute rate: no 1-hour price in the catalog' END",
        f"CASE WHEN x.provider IN ({fees}) AND x.requests > 0 AND x.rate_rq IS NULL "
        "THEN 'request fees not counted: no per-request price in the catalog' END",
    ]
    # '; ' before each note, the first two characters then cut: concat_ws is not portable
    # (ClickHouse and BigQuery do not skip its NULLs)
    parts = " || ".join(f"COALESCE('; ' || {note}, '')" for note in notes)
    joined = f"NULLIF(substr({parts}, 3), '')"
    return f"CASE WHEN x.std_in IS NULL THEN NULL ELSE {joined} END"


COST_LINE_FORMATS = ("openai_costs", "anthropic_cost")


def _extra(alias: str, kind: str) -> str:
    """Join the row `x` to its model's extra prices of one kind in the sheet version of its
    day (equality joins only: a range join here costs more than the rest of the query)."""
    return (
        f"LEFT JOIN price_extras {alias} ON {alias}.kind = {kind} "
        f"AND {alias}.provider = x.provider AND {alias}.model = x.model "
        f"AND {alias}.valid_from = x.price_from"
    )


_NAME_PRICES_BY_DAY = f"""
    SELECT m.raw_model, m.provider_hint, m.provider, m.model, p.day, p.lc_above,
           {", ".join(f"p.{c}" for c in TOKEN_RATE_COLUMNS)}, p.valid_from
    FROM model_map m
    JOIN price_days p ON p.provider = m.provider AND p.model = m.model"""


def _name_prices(source: str) -> str:
    """`name_prices` for the few (name, day) pairs of a per-period source: the sheet version
    in force that day found by a range join on those pairs, not by reading the day-by-day
    table (millions of rows) for each report. The same rows `price_days` gives them: a
    resolved name, on a day of the priced range (`periods` spans the same days), with the
    version's rates (the apart ones too), or NULL rates on a day its model has no price."""
    rates = ", ".join(f"p.{c}" for c in TOKEN_RATE_COLUMNS + APART_RATE_COLUMNS)
    return f"""
    SELECT k.raw_model, k.provider_hint, m.provider, m.model, k.day, p.lc_above, {rates},
           p.valid_from
    FROM (SELECT DISTINCT s.raw_model, s.provider_hint, s.day FROM {source} s) k
    JOIN model_map m ON m.raw_model = k.raw_model AND m.provider_hint = k.provider_hint
    JOIN periods pe ON pe.day = k.day
    LEFT JOIN price_intervals p ON p.provider = m.provider AND p.model = m.model
     AND k.day >= p.valid_from AND k.day < p.valid_to
    WHERE m.model IS NOT NULL"""


def resolved_and_priced(source: str, prompt_condition: str, precovered: bool = False) -> str:
    """CTEs `name_prices` (each exported name's catalog model and its prices by day),
    `matched` (catalog ids, rates and time-of-day window; one equality join per row),
    `rated` (the rates the row pays, once), `priced` (list cost and what it leaves out) and
    `costed` (what was spent).

    `source` has a `day` column; a per-period source (`precovered`) also says which rows a
    cost export covers and each sum's window (`clock`). A cost line (a row of a cost export:
    money, no tokens) has no list cost. What was spent (`cost_usd`) is the billed cost where
    the row has one; else, when a cost export covers the row's provider and day, 0, because
    those cost lines carry that day's spend (counting both would count it twice); else the
    list cost.
    """
    cost_lines = ", ".join(f"'{f}'" for f in COST_LINE_FORMATS)
    if precovered:  # the source says which rows a cost export covers (usage_periods)
        billing, covered, join = "", "x.covered", ""
        clock, clock_join = "x.clock", ""
    else:
        billing = f"""
billing_days AS (
    SELECT DISTINCT COALESCE(m.provider, NULLIF(c.provider_hint, '')) AS provider, c.day
    FROM {source} c
    LEFT JOIN model_map m ON m.raw_model = c.raw_model AND m.provider_hint = c.provider_hint
    WHERE c.source_format IN ({cost_lines})
),"""  # read from the source, so that `priced` is used once and streams
        covered = "b.provider IS NOT NULL"
        join = "LEFT JOIN billing_days b ON b.provider = x.provider AND b.day = x.day"
        clock = clock_sql("x.", "ck.slots")
        clock_join = (
            "LEFT JOIN price_extras ck ON ck.kind = 'clock' AND ck.provider = p.provider "
            "AND ck.model = p.model AND ck.valid_from = p.valid_from"
        )
    tier = "lower(trim(x.service_tier))"
    # A per-period source's names carry their apart rates from `name_prices` (found there
    # on the version in force); per row they are joined on the row's version.
    carried = TOKEN_RATE_COLUMNS + (APART_RATE_COLUMNS if precovered else ())
    apart_join = (
        "LEFT JOIN price_intervals a "
        "ON a.provider = x.provider AND a.model = x.model AND a.valid_from = x.price_from"
    )
    return f"""
name_prices AS ({_name_prices(source) if precovered else _NAME_PRICES_BY_DAY}),
matched AS (
    SELECT x.*, p.provider, p.model, p.lc_above,
           {", ".join(f"p.{c}" for c in carried)},
           p.valid_from AS price_from, {clock} AS clock_code
    FROM {source} x
    LEFT JOIN name_prices p
      ON p.raw_model = x.raw_model AND p.provider_hint = x.provider_hint AND p.day = x.day
    {clock_join}
),
judged AS (
    SELECT x.*, {_long(prompt_condition)} AS is_long FROM matched x
),
rated AS (
    SELECT x.*, t.kind AS tier_kind, {rates_sql(apart_from="x" if precovered else "a")}
    FROM judged x
    {_extra("t", f"(CASE WHEN x.batch OR {tier} IN {STANDARD_TIER_SQL} THEN NULL ELSE {tier} END)")}
    {_extra("w", "'window' || x.clock_code")}
    {"" if precovered else apart_join}
),
priced AS (
    SELECT x.*,
           CASE WHEN x.source_format IN ({cost_lines}) THEN NULL
                ELSE {list_cost_sql()} END AS list_cost_usd,
           x.std_in IS NOT NULL OR x.source_format IN ({cost_lines}) AS has_price,
           x.source_format IN ({cost_lines}) AS is_cost_line,
           CASE WHEN x.source_format IN ({cost_lines}) THEN NULL
                ELSE {pricing_note_sql()} END AS pricing_note
    FROM rated x
),{billing}
costed AS (
    SELECT x.*,
           CASE WHEN x.billed_cost_usd IS NOT NULL THEN x.billed_cost_usd
                WHEN {covered} THEN 0
                ELSE x.list_cost_usd END AS cost_usd,
           x.billed_cost_usd IS NOT NULL OR {covered} AS billed_scope
    FROM priced x
    {join}
)"""


def attribution(attributes: str) -> str:
    """CTE `attributed`: for each attribute combination (`attributes`: attr_id and the
    attribute columns), its team and task class. The first rule (lowest priority number)
    that matches wins; an exact rule compares, a glob or tag rule matches its regular
    expression (`attribution_rules.regex`, compiled once by `usage.keys`; a tag rule matches
    one whole tag). Without a matching rule (or where the rule leaves it empty) the export's
    own team and task class stay; NULL is unattributed. The rules are few, so every
    combination is tried against each (a cross join: not every engine joins on a CASE)."""
    value = (
        "CASE r.field WHEN 'api_key' THEN k.api_key WHEN 'project' THEN k.project "
        "WHEN 'user' THEN k.user_id WHEN 'workspace' THEN k.workspace END"
    )
    return f"""
attribute_rows AS (SELECT * FROM {attributes}),
rule_matches AS (
    SELECT k.attr_id, r.team, r.task_class,
           row_number() OVER (PARTITION BY k.attr_id ORDER BY r.priority) AS rule_rank
    FROM attribute_rows k
    CROSS JOIN attribution_rules r
    WHERE CASE WHEN r.regex IS NULL THEN ({value}) = r.pattern
               WHEN r.field = 'tag' THEN regexp_matches((k.tags), (r.regex))
               ELSE regexp_matches(({value}), (r.regex)) END
),
attributed AS (
    SELECT k.attr_id, k.project AS a_project, k.user_id AS a_user_id, k.api_key AS a_api_key,
           k.workspace AS a_workspace,
           COALESCE(m.team, k.team) AS team_final,
           COALESCE(m.task_class, k.task_class) AS task_class_final
    FROM attribute_rows k
    LEFT JOIN rule_matches m ON m.attr_id = k.attr_id AND m.rule_rank = 1
)"""


def costed_usage_sql() -> str:
    """One row per stored usage row, costed at the list price in force on its timestamp,
    attributed by the store's rules (the contract's `costed_usage` columns)."""
    keyed = "(SELECT u.*, CAST(u.ts AS DATE) AS day FROM usage_rows u)"
    return f"""
WITH {resolved_and_priced(keyed, PER_ROW_PROMPT)},
{attribution("attributes")}
SELECT
    x.row_id, x.import_id, x.ts, x.day, x.source_format,
    x.provider, x.model, x.raw_model,
    a.team_final AS team, a.task_class_final AS task_class,
    x.project, x.user_id, x.api_key, x.workspace,
    x.requests, x.input_tokens, x.cached_input_tokens, x.cache_write_tokens, x.output_tokens,
    x.input_tokens + x.cached_input_tokens + x.cache_write_tokens + x.output_tokens
        AS total_tokens,
    x.list_cost_usd, x.billed_cost_usd, x.cost_usd, x.batch, x.service_tier, x.pricing_note
FROM costed x
LEFT JOIN attributed a ON a.attr_id = x.attr_id
"""
