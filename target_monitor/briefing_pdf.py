"""The briefing's A4 page: the CJK font (the Simplified Chinese face of a collection), margins
and colours, Chinese-style line breaking, and :class:`_Pdf`, the fpdf2 document with the running
header, the page-numbered footer and the small drawing helpers the pack's pages use.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from fontTools.ttLib import TTCollection  # type: ignore[import-untyped]
from fpdf import FPDF, FontFace

from target_monitor import export
from target_monitor.briefing_text import STRINGS, _zh_date

NO_START, NO_END = "，。、；：？！）》」』”’〕】…%", "（《「『“‘〔【"
M, TOP, BOTTOM, W = 16.0, 22.0, 16.0, 178.0  # mm: margins, content width
GREY, DARK, BLUE, SHADE = (100, 100, 100), (30, 30, 30), (0, 114, 178), (244, 244, 244)
HEAD = FontFace("cjk", "B", 8.5, (255, 255, 255), (60, 60, 60))


def _face(path: Path) -> tuple[str, int]:
    """The file and, in a font collection, the index of its Simplified Chinese face."""
    if path.suffix.lower() != ".ttc":
        return str(path), 0
    fonts = TTCollection(str(path), lazy=True)
    names = [str(f["name"].getDebugName(1) or "") for f in fonts.fonts]
    fonts.close()
    return str(path), next((i for i, n in enumerate(names) if n.endswith(" SC")), 0)


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return r, g, b


def _on(hex_colour: str) -> tuple[int, int, int]:
    """Dark or white text, whichever reads better on ``hex_colour``."""
    r, g, b = _rgb(hex_colour)
    return DARK if 0.299 * r + 0.587 * g + 0.114 * b > 150 else (255, 255, 255)


def _glued(before: str, after: str) -> bool:
    """No line break between these: closing punctuation, an opening bracket, or a number or
    word and what touches it (``5个``, ``2015``)."""
    word = (before.isascii() or after.isascii()) and not (before.isspace() or after.isspace())
    return after in NO_START or before in NO_END or word


class _Pdf(FPDF):
    def __init__(
        self, as_of: dt.date, footer: str, sample: bool, known_on: dt.date | None = None
    ) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        files = export.cjk_font_files()
        if not files:
            raise export.NoCJKFont()
        sans = [f for f in files if "serif" not in f.name.lower()] or files
        regular = next((f for f in sans if "regular" in f.name.lower()), sans[0])
        bold = regular.with_name(regular.name.replace("Regular", "Bold"))
        for style, path in (("", regular), ("B", bold if bold.is_file() else regular)):
            name, index = _face(path)
            self.add_font("cjk", style, name, collection_font_number=index)
        self.set_margins(M, TOP, M)
        self.set_auto_page_break(True, margin=BOTTOM + 4)
        self.as_of, self.footer_text, self.sample = as_of, footer, sample
        self.known_on = known_on or as_of

    def style(self, size: float, bold: bool = False, colour: tuple[int, int, int] = DARK) -> None:
        self.set_font("cjk", "B" if bold else "", size)
        self.set_text_color(*colour)

    def put(self, text: str, size: float, *, w: float = W, h: float = 5, **kw: Any) -> None:
        """One line of text, then the next line, or on along this one if ``inline`` (``x``/``y``
        place it; ``bold``, ``colour``; the rest goes to ``cell``)."""
        self.set_xy(kw.pop("x", self.get_x()), kw.pop("y", self.get_y()))
        self.style(size, kw.pop("bold", False), kw.pop("colour", DARK))
        after = ("RIGHT", "TOP") if kw.pop("inline", False) else ("LMARGIN", "NEXT")
        self.cell(w, h, text, new_x=after[0], new_y=after[1], **kw)

    def para(self, text: str, size: float = 10, *, w: float = W, h: float = 6, **kw: Any) -> int:
        """Wrapped text at the left margin; returns the number of lines."""
        self.set_xy(kw.pop("x", self.get_x()), kw.pop("y", self.get_y()))
        self.style(size, kw.get("bold", False), kw.get("colour", DARK))
        lines = self.wrap(w, text)
        for line in lines:
            self.put(line, size, w=w, h=h, **kw)
        return len(lines)

    def box(self, x: float, y: float, w: float, h: float, colour: tuple[int, int, int]) -> None:
        self.set_fill_color(*colour)
        self.rect(x, y, w, h, style="F")

    def header(self) -> None:
        if self.page_no() > 1:
            self.put(STRINGS["running"], 8, w=W / 2, x=M, y=10, colour=GREY, inline=True)
            date = STRINGS["asof"].format(date=_zh_date(self.as_of))
            self.put(date, 8, w=W / 2, y=10, colour=GREY, align="R")
            self.set_draw_color(200, 200, 200)
            self.line(M, 16, M + W, 16)
            self.set_y(TOP)

    def footer(self) -> None:
        self.put(self.footer_text, 8, w=W * 0.7, x=M, y=-BOTTOM, colour=GREY, inline=True)
        self.put(STRINGS["page"].format(n=self.page_no()), 8, w=W * 0.3, colour=GREY, align="R")

    def wrap(self, width: float, text: str) -> list[str]:
        """Lines of ``text`` in ``width`` with the current font, breaking Chinese-style (no
        closing punctuation first on a line, no one-character last line)."""
        lines, start, room = [], 0, width - 2 * self.c_margin
        while start < len(text):
            end = start + 1
            while end < len(text) and self.get_string_width(text[start : end + 1]) <= room:
                end += 1
            while end < len(text) and end - start > 1 and _glued(text[end - 1], text[end]):
                end -= 1
            lines.append(text[start:end])
            start = end
        last = lines[-2:] if len(lines) > 1 else ["", ""]
        if len(last[1]) == 1 and len(last[0]) > 2 and not _glued(last[0][-2], last[0][-1]):
            lines[-2:] = [last[0][:-1], last[0][-1] + last[1]]
        return lines

    def grid(self, widths: tuple[float, ...], align: tuple[str, ...], size: float) -> Any:
        """A table with white cells, light rules and the dark heading row."""
        self.style(size)
        self.set_fill_color(255, 255, 255)
        self.set_draw_color(190, 190, 190)
        return self.table(
            col_widths=widths, width=sum(widths), align="LEFT", line_height=size / 2,
            padding=(0.8, 1.2), headings_style=HEAD, text_align=align, v_align="MIDDLE",
            borders_layout="HORIZONTAL_LINES",
        )  # fmt: skip
