"""One chart module: every chart shares the status palette, the fonts and the number formats.

The status palette is Okabe & Ito's colour-blind-safe set (Okabe, M. & Ito, K., *Color Universal
Design*, 2008), ordered from good to bad, with greys for "not started" and "insufficient data" (a
lack of data is never shown in a warning colour).  Charts name a CJK font explicitly so that
server-side exports (vl-convert) draw Chinese rather than boxes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import altair as alt
from altair.utils.schemapi import debug_mode

from target_monitor.i18n import Lang, status_label, t, verdict_label

FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
STATUS_COLOURS: dict[str, str] = {
    "achieved": "#009E73",
    "achieved_late": "#56B4E9",
    "on_track": "#0072B2",
    "at_risk": "#E69F00",
    "off_track": "#D55E00",
    "missed": "#882255",
    "not_started": "#C8C8C8",
    "insufficient_data": "#8C8C8C",
}
STATUS_ORDER = list(STATUS_COLOURS)
SERIES_COLOURS = {"actual": "#0072B2", "planned": "#7F7F7F", "projected": "#E69F00"}
PUBLISHED_COLOUR = "#CC79A7"  # Okabe & Ito's reddish purple: a published figure (公开数据)
PUBLISHED_SHAPE = "diamond"


def format_number(value: float | None, unit: str = "") -> str:
    """万 / 亿 for large numbers, % for shares, plain digits otherwise."""
    if value is None:
        return "—"
    if unit == "%":
        return f"{value:.1f}%"  # one decimal for every share
    magnitude = abs(value)
    if magnitude >= 1e8:
        text = f"{value / 1e8:.2f}".rstrip("0").rstrip(".") + "亿"
    elif magnitude >= 1e4:
        text = f"{value / 1e4:.2f}".rstrip("0").rstrip(".") + "万"
    elif float(value).is_integer():
        text = f"{int(value):,}"
    else:
        text = f"{value:,.1f}".rstrip("0").rstrip(".")
    return f"{text}{unit}" if unit and unit not in ("个", "家", "项") else text + unit


def _data(values: Sequence[dict[str, Any]]) -> Any:
    """Inline data, built without Altair's debug-mode validation: validating a map's GeoJSON on
    every page run costs ~100 ms, and exports validate the whole spec when they render."""
    with debug_mode(False):
        return alt.Data(values=list(values))  # type: ignore[no-untyped-call]


def status_scale(lang: Lang) -> alt.Scale:
    return alt.Scale(
        domain=[status_label(s, lang) for s in STATUS_ORDER],
        range=[STATUS_COLOURS[s] for s in STATUS_ORDER],
    )


def _config(chart: alt.TopLevelMixin, title: str | None = None) -> Any:
    configured = chart.configure(font=FONT).configure_axis(
        labelFont=FONT, titleFont=FONT, labelFontSize=12, titleFontSize=12
    )
    configured = configured.configure_legend(labelFont=FONT, titleFont=FONT)
    configured = configured.configure_title(font=FONT, fontSize=15, anchor="start")
    return configured.configure_view(stroke=None)


def goal_trajectory(
    rows: Sequence[dict[str, Any]],
    *,
    final: float,
    deadline: dt.date,
    unit: str,
    title: str,
    lang: Lang,
    footer: str = "",
    published: Sequence[str] = (),
) -> Any:
    """Actual against the planned trajectory, the target line, the deadline and the projection.

    ``published``: the quarters whose figure is an adopted published figure (公开数据), drawn
    with a mark of their own (a diamond, with its legend entry) over the actual line."""
    long: list[dict[str, Any]] = []
    names = {
        "actual": t("chart.actual", lang),
        "planned": t("chart.planned", lang),
        "projected": t("chart.projected", lang),
    }
    for row in rows:
        for key, label in names.items():
            if row.get(key) is not None:
                long.append(
                    {
                        "date": row["quarter_end"].isoformat(),
                        "series": label,
                        "value": row[key],
                        "period": row["period"],
                    }
                )
    base = alt.Chart(_data(long))
    lines = base.mark_line(point=True, strokeWidth=2.5).encode(
        x=alt.X(
            "date:T",
            title=None,
            axis=alt.Axis(format="%Y", tickCount={"interval": "year", "step": 1}),
        ),
        y=alt.Y("value:Q", title=unit),
        color=alt.Color(
            "series:N",
            scale=alt.Scale(domain=list(names.values()), range=list(SERIES_COLOURS.values())),
            legend=alt.Legend(title=None, orient="top"),
        ),
        strokeDash=alt.StrokeDash(
            "series:N",
            scale=alt.Scale(domain=list(names.values()), range=[[1, 0], [6, 4], [2, 3]]),
            legend=None,
        ),
        tooltip=[
            alt.Tooltip("period:N", title=t("col.period", lang)),
            alt.Tooltip("series:N", title=" "),
            alt.Tooltip("value:Q", format=",.1f"),
        ],
    )
    target = (
        alt.Chart(_data([{"value": final, "label": t("chart.target", lang)}]))
        .mark_rule(color="#882255", strokeWidth=1.5)
        .encode(y="value:Q")
    )
    due = (
        alt.Chart(_data([{"date": deadline.isoformat()}]))
        .mark_rule(color="#555555", strokeDash=[3, 3])
        .encode(x="date:T")
    )
    heading = alt.Title(title, subtitle=footer) if footer else alt.Title(title)
    layers = [lines, target, due]
    marks = _published_marks(rows, published, lang)
    if marks is not None:
        layers.append(marks)
    layered = alt.layer(*layers).properties(title=heading, height=340, width="container")
    return _config(layered)


def _published_marks(
    rows: Sequence[dict[str, Any]], published: Sequence[str], lang: Lang
) -> alt.Chart | None:
    """The 公开数据 points: the actual of each published quarter, as a diamond in the legend."""
    label = t("chart.published", lang)
    wanted = set(published)
    points = [
        {
            "date": row["quarter_end"].isoformat(),
            "value": row["actual"],
            "period": row["period"],
            "mark": label,
        }
        for row in rows
        if row["period"] in wanted and row.get("actual") is not None
    ]
    if not points:
        return None
    marks: alt.Chart = (
        alt.Chart(_data(points))
        .mark_point(filled=True, size=170, color=PUBLISHED_COLOUR, opacity=1)
        .encode(
            x="date:T",
            y="value:Q",
            shape=alt.Shape(
                "mark:N",
                scale=alt.Scale(domain=[label], range=[PUBLISHED_SHAPE]),
                legend=alt.Legend(title=None, orient="top"),
            ),
            tooltip=[
                alt.Tooltip("period:N", title=t("col.period", lang)),
                alt.Tooltip("mark:N", title=" "),
                alt.Tooltip("value:Q", format=",.1f"),
            ],
        )
    )
    return marks


def status_counts(counts: dict[str, int], lang: Lang, title: str) -> Any:
    values = [
        {"status": status_label(s, lang), "n": counts.get(s, 0)}
        for s in STATUS_ORDER
        if counts.get(s, 0)
    ]
    chart = (
        alt.Chart(_data(values))
        .mark_bar()
        .encode(
            y=alt.Y(
                "status:N",
                sort=[status_label(s, lang) for s in STATUS_ORDER],
                title=None,
                axis=alt.Axis(labelOverlap=False),
            ),
            x=alt.X("n:Q", title=t("chart.goals", lang)),
            color=alt.Color("status:N", scale=status_scale(lang), legend=None),
            tooltip=["status:N", "n:Q"],
        )
        .properties(title=title, height=28 * max(len(values), 1) + 40, width="container")
    )
    return _config(chart)


def region_bars(rows: Sequence[dict[str, Any]], *, unit: str, title: str, lang: Lang) -> Any:
    chart = (
        alt.Chart(_data(list(rows)))
        .mark_bar(color=SERIES_COLOURS["actual"])
        .encode(
            y=alt.Y("name:N", sort="-x", title=None, axis=alt.Axis(labelOverlap=False)),
            x=alt.X("value:Q", title=unit),
            tooltip=[
                alt.Tooltip("name:N", title=t("col.region", lang)),
                alt.Tooltip("value:Q", format=",.1f"),
            ],
        )
        .properties(title=title, height=max(180, 22 * len(rows)), width="container")
    )
    return _config(chart)


def choropleth(
    features: Sequence[dict[str, Any]],
    values: dict[str, float | None],
    *,
    title: str,
    legend: str,
    lang: Lang,
) -> Any:
    """Regions coloured by a value (attainment %, or share of the total)."""
    shapes = []
    for feature in features:
        code = feature["properties"]["code"]
        value = values.get(code)
        shapes.append({**feature, "properties": {**feature["properties"], "value": value}})
    chart = (
        alt.Chart(_data(shapes))
        .mark_geoshape(stroke="white", strokeWidth=0.8)
        .encode(
            color=alt.Color(
                "properties.value:Q",
                scale=alt.Scale(scheme="blues"),
                legend=alt.Legend(title=legend, orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("properties.name:N", title=t("col.region", lang)),
                alt.Tooltip("properties.value:Q", title=legend, format=",.1f"),
            ],
        )
        .project(type="mercator")
        .properties(title=title, height=420, width="container")
    )
    return _config(chart)


def status_matrix(rows: Sequence[dict[str, Any]], *, title: str, lang: Lang) -> Any:
    """Goals × years, each cell coloured by the status at that year's end."""
    values = [
        {
            **r,
            "label": status_label(r["status"], lang),
            "verdict": verdict_label(r["status"], r.get("provisional"), lang),
        }
        for r in rows
    ]
    chart = (
        alt.Chart(_data(values))
        .mark_rect(stroke="white", strokeWidth=1)
        .encode(
            x=alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y(
                "goal:N", title=None, sort=None, axis=alt.Axis(labelOverlap=False, labelLimit=320)
            ),
            color=alt.Color(
                "label:N", scale=status_scale(lang), legend=alt.Legend(title=None, orient="top")
            ),
            tooltip=["goal:N", "year:O", alt.Tooltip("verdict:N", title=t("col.status", lang))],
        )
        .properties(
            title=title, height=max(200, 16 * len({r["goal"] for r in rows})), width="container"
        )
    )
    return _config(chart)


def year_bars(rows: Sequence[dict[str, Any]], *, unit: str, title: str, lang: Lang) -> Any:
    """Year by year: actual against plan."""
    long = []
    for row in rows:
        for key in ("actual", "planned"):
            if row.get(key) is not None:
                long.append(
                    {"year": row["year"], "series": t(f"chart.{key}", lang), "value": row[key]}
                )
    names = [t("chart.actual", lang), t("chart.planned", lang)]
    chart = (
        alt.Chart(_data(long))
        .mark_bar()
        .encode(
            x=alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0)),
            xOffset="series:N",
            y=alt.Y("value:Q", title=unit),
            color=alt.Color(
                "series:N",
                scale=alt.Scale(
                    domain=names, range=[SERIES_COLOURS["actual"], SERIES_COLOURS["planned"]]
                ),
                legend=alt.Legend(title=None, orient="top"),
            ),
            tooltip=["year:O", "series:N", alt.Tooltip("value:Q", format=",.1f")],
        )
        .properties(title=title, height=300, width="container")
    )
    return _config(chart)


def completeness_grid(rows: Sequence[dict[str, Any]], *, title: str, lang: Lang) -> Any:
    """Regions × quarters, coloured by the share of expected reports received."""
    chart = (
        alt.Chart(_data(list(rows)))
        .mark_rect(stroke="white", strokeWidth=0.5)
        .encode(
            x=alt.X("period:O", title=None, axis=alt.Axis(labelAngle=-60)),
            y=alt.Y("name:N", title=None, sort=None, axis=alt.Axis(labelOverlap=False)),
            color=alt.Color(
                "completeness:Q",
                scale=alt.Scale(domain=[0, 1], scheme="blues"),
                legend=alt.Legend(title=t("col.completeness", lang), format=".0%"),
            ),
            tooltip=[
                "name:N",
                "period:O",
                alt.Tooltip("completeness:Q", format=".0%", title=t("col.completeness", lang)),
                alt.Tooltip("timeliness:Q", format=".0%", title=t("col.timeliness", lang)),
            ],
        )
        .properties(
            title=title, height=max(200, 14 * len({r["name"] for r in rows})), width="container"
        )
    )
    return _config(chart)
