"""What pages show in more than one place: goal names and sources, Beijing time, the footer
under every chart, charts and tables with their downloads, the goal picker, and the upload
batches' rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import streamlit as st

from model import clock
from target_monitor.i18n import Lang, t
from target_monitor.ui_state import (
    as_of,
    db,
    is_sample,
    known_on,
    lang,
    notice,
    param,
    ref,
    set_param,
    shown_value,
    version,
)


def goal_name(target_id: str, language: Lang) -> str:
    r = ref()
    target = r.catalogue.target(target_id)
    indicator = r.catalogue.indicator(target.indicator)
    name = indicator.name_zh if language == "zh" else indicator.name_en
    return (
        f"{name}（{target.deadline.year}）"
        if language == "zh"
        else f"{name} ({target.deadline.year})"
    )


def goal_choice(target_id: str, language: Lang) -> str:
    """How a goal reads in a selector: its name and its source, no internal id."""
    return f"{goal_name(target_id, language)} · {source_of(target_id)}"


def beijing(moment: dt.datetime | None) -> str:
    """A stored (UTC) timestamp as Beijing time, labelled."""
    if moment is None:
        return "—"
    return f"{clock.to_beijing(moment):%Y-%m-%d %H:%M}"


def source_of(target_id: str) -> str:
    r = ref()
    target = r.catalogue.target(target_id)
    document = r.catalogue.document(target.document)
    return f"{document.number or '《' + document.title + '》'} {target.article}"


def footer(target_id: str | None, language: Lang) -> str:
    """The line under every chart: as-of date, sample label, source clause."""
    source = source_of(target_id) if target_id else "目标监测 Target Monitor"
    text = t("footer.source", language, as_of=as_of().isoformat(), source=source)
    known = known_on()
    if known is not None:
        text = f"{text} · {t('footer.known_on', language, known_on=known.isoformat())}"
    if is_sample(str(db()), version()):
        text = f"{t('footer.sample', language)} · {text}"
    return text


def chart(figure: Any, name: str, *, target_id: str | None = None) -> None:
    """Show a chart, with PNG (2×), SVG and PDF downloads rendered server-side from the same
    spec, each carrying the footer (as-of date, 示例数据, source clause).  Rendering happens
    only when a button is pressed."""
    from target_monitor import export

    language = lang()
    # The spec is built once, without Altair's schema validation: validating a map's inline
    # GeoJSON costs hundreds of milliseconds a run.  The charts module builds valid specs (the
    # exports below validate when they render).
    st.vega_lite_chart(figure.to_dict(validate=False), width="stretch")
    note = footer(target_id, language)

    def stamped() -> Any:
        return export.with_footer(figure, note)

    stem = f"{name}-{as_of().isoformat()}"
    with st.popover(t("export.menu", language), icon=":material/download:"):
        st.download_button(
            t("export.png", language),
            data=lambda: export.chart_png(stamped()),
            file_name=f"{stem}.png",
            mime="image/png",
            key=f"png-{name}",
        )
        st.download_button(
            t("export.svg", language),
            data=lambda: export.chart_svg(stamped()),
            file_name=f"{stem}.svg",
            mime="image/svg+xml",
            key=f"svg-{name}",
            help=t("export.svg_help", language),
        )
        st.caption(t("export.svg_help", language))
        st.download_button(
            t("export.pdf", language),
            data=lambda: export.chart_pdf(stamped()),
            file_name=f"{stem}.pdf",
            mime="application/pdf",
            key=f"pdf-{name}",
        )


def table(data: list[dict[str, Any]] | pl.DataFrame, name: str, **options: Any) -> Any:
    """Show a table (a list of rows, or a frame for long tables: it reaches the browser faster)
    with XLSX and CSV (UTF-8 with BOM) downloads; cells that look like formulas are neutralised
    in both."""
    from target_monitor import export

    language = lang()
    shown = st.dataframe(data, hide_index=True, **options)
    stem = f"{name}-{as_of().isoformat()}"
    with st.popover(t("export.menu", language), icon=":material/download:"):
        st.download_button(
            t("export.xlsx", language),
            data=lambda: export.table_xlsx(
                data.to_dicts() if isinstance(data, pl.DataFrame) else data, sheet=name[:31]
            ),
            file_name=f"{stem}.xlsx",
            key=f"xlsx-{name}",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        st.download_button(
            t("export.csv", language),
            data=lambda: export.table_csv(
                data.to_dicts() if isinstance(data, pl.DataFrame) else data
            ),
            file_name=f"{stem}.csv",
            mime="text/csv",
            key=f"csv-{name}",
        )
    return shown


def goal_selector(default: str, key: str) -> str:
    """The goal picker the detail, regions and years pages share; the choice lives in the URL."""
    language = lang()
    targets = [target.id for target in ref().catalogue.targets]
    chosen = param("target", default)
    if chosen not in targets:
        notice(t("param.goal_unknown", language, value=shown_value(chosen)))
        chosen = default
    target_id: str = st.selectbox(
        t("goal.select", language),
        targets,
        index=targets.index(chosen) if chosen in targets else 0,
        format_func=lambda x: goal_choice(x, language),
        key=key,
    )
    set_param("target", target_id)
    return target_id


def batch_rows(batches_: pl.DataFrame, language: Lang) -> list[dict[str, Any]]:
    """Upload batches as the reporting and upload pages list them."""
    return [
        {
            t("col.batch", language): b["batch_id"],
            t("col.kind", language): t(f"batch.{b['kind']}", language),
            t("col.file", language): b["file_name"],
            t("col.uploader", language): b["uploader"],
            t("col.when", language): beijing(b["finished_at"]),
            t("col.new", language): b["rows_new"],
            t("col.changed", language): b["rows_changed"],
            t("col.unchanged", language): b["rows_unchanged"],
        }
        for b in batches_.to_dicts()
    ]
