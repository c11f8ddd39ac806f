"""The Excel workbook: one sheet per table, formats, frozen headers, settings, safe cells."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pandas as pd
import pytest

from app import excel, tables
from app.planning import ScenarioSpec, solve
from planner import workbook
from planner.export import plan_to_csv
from planner.workbook import Sheet, build_workbook, column_kind

AS_OF = "2026-11-23"


@pytest.fixture(scope="module")
def book(request_, catalog):
    plan = solve(request_, catalog)
    specs = [
        ScenarioSpec("List prices"),
        ScenarioSpec("Deal", discounts_pct={"openai": 20.0}, vendor_caps_pct={"google": 30.0}),
    ]
    data = excel.plan_workbook(
        plan,
        request_,
        catalog,
        excel.forecast_settings(2000.0, None, 0.2),
        specs,
        None,
        0.2,
    )
    return plan, openpyxl.load_workbook(io.BytesIO(data))


def test_a_sheet_per_table_after_the_settings(book):
    _, wb = book
    assert wb.sheetnames == [
        "Settings", "Plan", "ROI by class", "ROI by tier", "ROI by provider",
        "Against baselines", "Forecast", "Vendor comparison", "Business case",
        "Business case notes",
    ]  # fmt: skip
    settings = {row[0].value: row[1] for row in wb["Settings"].iter_rows(min_row=2)}
    assert settings["Prices as of"].value == AS_OF
    assert settings["Monthly budget (USD)"].value == 2000
    assert settings["Monthly budget (USD)"].number_format == workbook.MONEY
    assert settings["Expected price decline a year"].value == 0.2
    assert settings["Expected price decline a year"].number_format == "0.0%"
    assert "openai 20% off" in settings["Vendor scenario 2"].value
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2", ws.title  # the header row stays in view


def test_the_plan_sheet_holds_the_plan_with_money_and_percent_formats(book):
    plan, wb = book
    ws = wb["Plan"]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["Task class", "Model", "Provider", "Tier"]
    spend = header.index("Spend a month") + 1
    share = header.index("Share of the class") + 1
    cells = [ws.cell(row=r, column=spend) for r in range(2, ws.max_row)]
    assert sum(c.value for c in cells) == pytest.approx(plan.totals.monthly_cost_usd)
    assert cells[0].number_format == workbook.MONEY == '"$"#,##0.00;-"$"#,##0.00'
    assert ws.cell(row=2, column=share).number_format == "0.0%"
    # The same rows as the CSV, and like it a TOTAL row last.
    assert ws.max_row - 2 == plan_to_csv(plan).count("\r\n") - 2


def test_the_plan_sheet_ends_with_a_total_row(request_, catalog):
    plan = solve(request_, catalog)
    data = build_workbook([], [excel.plan_sheet(plan)])
    formulas = openpyxl.load_workbook(io.BytesIO(data))["Plan"]
    ws = openpyxl.load_workbook(io.BytesIO(data), data_only=True)["Plan"]  # stored values
    header = [c.value for c in ws[1]]
    last = ws.max_row
    assert ws.cell(row=last, column=1).value == "TOTAL" and last == len(plan.assignments) + 2
    expected = {
        "Spend a month": plan.totals.monthly_cost_usd,
        "Net value a month": plan.totals.monthly_net_value_usd,
        "Tasks a month": sum(a.monthly_tasks for a in plan.assignments),
    }
    for label, total in expected.items():
        col = header.index(label) + 1
        cell = ws.cell(row=last, column=col)
        assert cell.value == pytest.approx(total)
        letter = openpyxl.utils.get_column_letter(col)
        assert formulas.cell(row=last, column=col).value == f"=SUM({letter}2:{letter}{last - 1})"
    spend = ws.cell(row=last, column=header.index("Spend a month") + 1)
    assert spend.number_format == workbook.MONEY
    assert ws.cell(row=last, column=header.index("Accuracy") + 1).value is None  # not summed
    assert ws.auto_filter.ref.endswith(str(last - 1))  # the filter leaves the TOTAL row out


def test_net_value_per_dollar_is_a_multiple_not_money(book):
    _, wb = book
    ws = wb["ROI by class"]
    header = [c.value for c in ws[1]]
    assert "gross_value_per_usd" not in header
    cell = ws.cell(row=2, column=header.index("Net value per $ spent") + 1)
    assert cell.data_type == "n" and cell.number_format == '#,##0.0"x"'
    assert "$" not in cell.number_format.replace("per $", "")


def test_vendor_comparison_records_terms_and_shares(book):
    _, wb = book
    ws = wb["Vendor comparison"]
    header = [c.value for c in ws[1]]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == ["List prices", "Deal"]
    # Percents in points (20) are stored as shares (0.2) with the percent format.
    assert rows[1][header.index("discount % openai")] == pytest.approx(0.2)
    assert rows[0][header.index("discount % openai")] is None
    assert rows[1][header.index("cap % google")] == pytest.approx(0.3)
    google = rows[1][header.index("share % google")] if "share % google" in header else 0
    assert google <= 0.3 + 1e-6  # a share column is written for every provider with a share
    assert ws.cell(row=3, column=header.index("discount % openai") + 1).number_format == "0.0%"


def test_negative_growth_is_a_number_with_a_percent_format(request_):
    """A falling volume (-5 % a month) was once stored as the text '-5.0%."""
    rows = excel.settings_rows(request_.with_(budget_usd=1234.5), -0.05, 0.1)
    wb = openpyxl.load_workbook(io.BytesIO(build_workbook(rows, [])))
    cells = {row[0].value: row[1] for row in wb["Settings"].iter_rows(min_row=2)}
    growth = cells["Monthly volume growth"]
    assert growth.value == -0.05 and growth.data_type == "n" and growth.number_format == "0.0%"
    assert cells["Monthly budget (USD)"].value == 1234.5


@pytest.mark.parametrize(
    ("column", "value", "stored", "number_format"),
    [
        ("monthly_net_value_usd", -1234.5, -1234.5, workbook.MONEY),
        ("spend_p90", 2500.0, 2500.0, workbook.MONEY),  # the forecast's bands are money
        ("cap USD a month openai", 500.0, 500.0, workbook.MONEY),
        ("cost_per_task_usd", 4e-7, 4e-7, workbook.FORMATS["usd_fine"]),
        ("accuracy", 0.8125, 0.8125, "0.0%"),
        ("price change % deepseek", -5.0, -0.05, "0.0%"),
        ("monthly_tasks", 12345.0, 12345.0, "#,##0"),
        ("net_value_p10", -50.0, -50.0, workbook.MONEY),
        ("gross_value_per_usd", 2968.17, 2968.17, '#,##0.0"x"'),
    ],
)
def test_each_kind_of_cell_is_a_number_with_its_one_format(column, value, stored, number_format):
    data = build_workbook([], [Sheet("T", pd.DataFrame({column: [value]}))])
    cell = openpyxl.load_workbook(io.BytesIO(data))["T"]["A2"]
    assert cell.data_type == "n" and cell.value == pytest.approx(stored)
    assert cell.number_format == number_format


def test_text_cells_cannot_run_as_formulas():
    table = pd.DataFrame({"task_class": ['=HYPERLINK("http://x")', "@SUM(A1)", "ok"]})
    wb = openpyxl.load_workbook(io.BytesIO(build_workbook([("Who", "=1+1")], [Sheet("T", table)])))
    values = [c.value for c in wb["T"]["A"][1:]]
    assert values == ['\'=HYPERLINK("http://x")', "'@SUM(A1)", "ok"]
    assert wb["Settings"]["B2"].value == "'=1+1"
    assert all(c.data_type == "s" for c in wb["T"]["A"])


def test_sheet_names_are_made_valid_and_unique():
    table = pd.DataFrame({"a": [1]})
    sheets = [Sheet("a/b: [c]", table), Sheet("a/b: [c]", table), Sheet("x" * 40, table)]
    wb = openpyxl.load_workbook(io.BytesIO(build_workbook([], sheets)))
    assert wb.sheetnames == ["Settings", "a-b- -c-", "a-b- -c- (2)", "x" * 31]


@pytest.mark.parametrize(
    ("column", "kind"),
    [
        ("monthly_cost_usd", "usd"),
        ("cost_per_task_usd", "usd_fine"),
        ("accuracy", "share"),
        ("share % openai", "points"),
        ("discount % openai", "points"),
        ("monthly_tokens", "count"),
        ("gross_value_per_usd", "multiple"),
        ("model", None),
    ],
)
def test_column_kinds(column, kind):
    assert column_kind(column) == kind


def test_the_forecast_table_is_rounded(request_, catalog):
    from planner.forecast import ForecastSettings, forecast

    result = forecast(solve(request_, catalog), catalog, ForecastSettings(months=12, paths=50))
    table = tables.forecast_table(result.deterministic, result.bands)
    money = table["spend_usd"].tolist() + table["net_value_p50"].tolist()
    assert all(round(x, 2) == x for x in money)
    assert isinstance(table["month"].iloc[0], date)


def test_business_case_sheet_holds_the_flows_and_its_total_is_the_npv(book, request_):
    plan, wb = book
    from planner.business_case_report import full_case

    case = full_case(plan, paths=200)
    ws = wb["Business case"]
    header = [c.value for c in ws[1]]
    assert header[:2] == ["Month", "Adoption"] and "Discount factor" in header
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    months = [r for r in rows if isinstance(r[0], int | float)]
    assert len(months) == 36
    col = {name: header.index(name) for name in ("Discount factor", "Net cash flow",
                                                 "Discounted net")}  # fmt: skip
    for r in months:  # every month's discounted net is its net x its discount factor
        assert r[col["Discounted net"]] == pytest.approx(
            r[col["Net cash flow"]] * r[col["Discount factor"]]
        )
    assert months[0][col["Discount factor"]] == pytest.approx(1.1 ** (-1 / 12))
    total = rows[-1]
    assert total[0] == "TOTAL"
    assert total[col["Discounted net"]] == "=SUM(O2:O37)"  # the NPV, summed by the sheet
    discounted = sum(r[col["Discounted net"]] for r in months)
    assert discounted == pytest.approx(case.risk_adjusted.npv_usd, abs=0.01)
    notes = {r[0]: r[1:] for r in wb["Business case notes"].iter_rows(min_row=2, values_only=True)}
    from app.format import money

    assert notes["NPV, risk-adjusted"][0] == money(case.risk_adjusted.npv_usd)
    assert notes["NPV, as modelled"][0] == money(case.as_modelled.npv_usd)
    sources = [
        r[1] for r in wb["Business case notes"].iter_rows(values_only=True) if r[0] == "Source"
    ]
    assert any("USDL-24-0628" in s for s in sources) == (
        request_.workload_source == "example_enterprise.csv"
    )
