"""The one-page board brief (PDF, fpdf2): the headline, the key figures, the cash-flow chart,
the risks, and the assumptions with their sources. Pure: a case in, PDF bytes out.

Every figure is written by `app.format`, as the Overview writes it, so the brief and the page
say the same thing (tests/app/test_brief.py reads the PDF back and compares). The PDF's core
font holds Latin-1 only: any other character (from a class name, say) is written as "?".
"""

from __future__ import annotations

from datetime import date
from itertools import pairwise
from typing import TYPE_CHECKING

from app.format import money, pct
from app.overview_view import payback_words
from planner.business_case_report import FullCase

if TYPE_CHECKING:
    from fpdf import FPDF

FILE_NAME = "board-brief.pdf"
MIME = "application/pdf"
TITLE = "Board brief: the AI programme's business case"
WIDTH = 180  # mm of text on A4 with 15 mm margins
CHART_H = 55  # mm
RISKS_SHOWN = 4


def latin1(text: str) -> str:
    """Text the core font can draw: typographic dashes and quotes as ASCII, the rest '?'."""
    plain = (text.replace("\u2013", "-").replace("\u2014", "-").replace("\u2212", "-")
             .replace("\u2018", "'").replace("\u2019", "'").replace("\u201c", '"')
             .replace("\u201d", '"'))  # fmt: skip
    return plain.encode("latin-1", "replace").decode("latin-1")


def key_figures(case: FullCase) -> list[tuple[str, str]]:
    """The Overview's tiles with their exact figures (the tiles show money compact and the
    exact figure in their help), and the IRR."""
    r, m, b, q = case.risk_adjusted, case.as_modelled, case.bands, case.quality
    horizon = case.settings.horizon_months
    irr = pct(r.irr_annual) if r.irr_annual is not None else "none (the flows never turn)"
    return [
        ("NPV, risk-adjusted", money(r.npv_usd)),
        ("NPV, as modelled", money(m.npv_usd)),
        ("Payback", payback_words(r.payback_month, horizon)),
        ("Risk-adjusted ROI", pct(r.roi) if r.roi is not None else "-"),
        ("Quality vs today", f"{money(q.loss_usd)} a month" if q.any_loss else "No loss"),
        ("NPV, P10 to P90", f"{money(b.p10_usd)} to {money(b.p90_usd)}"),
        ("IRR a year, risk-adjusted", irr),
    ]


def risks(case: FullCase) -> list[str]:
    out = []
    q = case.quality
    if q.any_loss:
        worst = q.losses.sort_values("quality_usd").head(RISKS_SHOWN)
        for row in worst.itertuples():
            out.append(
                f"Less accurate than today on {row.task_class}: {pct(row.plan_accuracy)} against "
                f"{pct(row.today_accuracy)}, {money(row.quality_usd)} a month."
            )
    for row in case.tornado.head(RISKS_SHOWN).itertuples():
        out.append(
            f"{row.input} over {row.range}: NPV {money(row.npv_low_usd)} to "
            f"{money(row.npv_high_usd)}."
        )
    b = case.bands
    out.append(
        f"P10 of NPV {money(b.p10_usd)}: one draw in ten of growth, prices, accuracy and "
        "realisation gives less."
    )
    return out


def board_brief_pdf(case: FullCase, as_of: date, sources: list[str]) -> bytes:
    """One A4 page: headline, key figures, cash-flow chart, risks, assumptions, sources."""
    from fpdf import FPDF  # imported on the click: it takes seconds, the page needs it rarely

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(15, 12, 15)
    pdf.add_page()
    pdf.set_title(TITLE)
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(WIDTH, 8, TITLE, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 8)
    pdf.cell(WIDTH, 4, f"Prices as of {as_of.isoformat()}.", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    pdf.set_font("Helvetica", "", 9)
    pdf.multi_cell(WIDTH, 4.2, latin1(case.headline), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    _figures(pdf, key_figures(case))
    _chart(pdf, case)
    _section(pdf, "Risks", risks(case))
    _section(pdf, "Assumptions", list(case.assumptions))
    _section(pdf, "Sources", sources)
    return bytes(pdf.output())


def _figures(pdf: FPDF, figures: list[tuple[str, str]]) -> None:
    half = WIDTH / 2
    for i, (label, value) in enumerate(figures):
        pdf.set_font("Helvetica", "", 8.5)
        pdf.cell(half * 0.55, 5, latin1(label + ":"))
        pdf.set_font("Helvetica", "B", 8.5)
        last = i % 2 == 1 or i == len(figures) - 1
        pdf.cell(half * 0.45, 5, latin1(value),
                 new_x="LMARGIN" if last else "RIGHT", new_y="NEXT" if last else "TOP")  # fmt: skip
    pdf.ln(1)


def _chart(pdf: FPDF, case: FullCase) -> None:
    """Bars of the net cash flow a month and the cumulative discounted line, drawn to scale
    with a zero line, and the two ends labelled."""
    f = case.risk_adjusted.flows
    net, cum = f["net_usd"].to_numpy(), f["cumulative_discounted_usd"].to_numpy()
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(WIDTH, 6, "Cash flows, risk-adjusted: net a month (bars), cumulative discounted "
             "(line)", new_x="LMARGIN", new_y="NEXT")  # fmt: skip
    x0, y0 = pdf.l_margin + 22, pdf.get_y() + 2
    w, h = WIDTH - 24, CHART_H - 8
    lo, hi = min(0.0, net.min(), cum.min()), max(0.0, net.max(), cum.max())
    span = hi - lo or 1.0

    def y(v: float) -> float:
        return y0 + h * (hi - v) / span

    pdf.set_draw_color(150, 150, 150)
    pdf.rect(x0, y0, w, h)
    pdf.line(x0, y(0), x0 + w, y(0))
    step = w / len(net)
    pdf.set_fill_color(47, 128, 237)
    for i, v in enumerate(net):
        top, bottom = (y(v), y(0)) if v >= 0 else (y(0), y(v))
        pdf.rect(x0 + i * step + step * 0.15, top, step * 0.7, max(bottom - top, 0.1), style="F")
    pdf.set_draw_color(39, 174, 96)
    pdf.set_line_width(0.6)
    points = [(x0 + (i + 0.5) * step, y(v)) for i, v in enumerate(cum)]
    for a, b in pairwise(points):
        pdf.line(*a, *b)
    pdf.set_line_width(0.2)
    pdf.set_font("Helvetica", "", 7)
    for value in (hi, 0.0, lo) if lo < 0 else (hi, 0.0):
        pdf.set_xy(pdf.l_margin, y(value) - 2)
        pdf.cell(21, 4, money(value), align="R")
    pdf.set_xy(x0, y0 + h + 0.5)
    pdf.cell(w / 2, 4, "Month 1")
    pdf.cell(w / 2, 4, f"Month {len(net)}", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)


def _section(pdf: FPDF, title: str, lines: list[str]) -> None:
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(WIDTH, 5.5, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 7.5)
    for line in lines:
        pdf.multi_cell(WIDTH, 3.4, latin1("- " + line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(0.5)
