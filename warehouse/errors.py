"""What can go wrong with a warehouse that a user can fix, each as one bilingual line.

The error boundary (``target_monitor/errors.py``) shows :meth:`WarehouseError.line` and nothing
else, so every message here says what is wrong and what to do, in Chinese and then English.
"""

from __future__ import annotations

from pathlib import Path

FIX = "请运行 `make run` 或 `.venv/bin/target-monitor init`"
FIX_EN = "run `make run` or `.venv/bin/target-monitor init`"


class WarehouseError(RuntimeError):
    """A problem with the warehouse file that the user can fix.  ``str()`` is one bilingual line
    (Chinese, then English) saying what is wrong and what to do; :meth:`line` can show only the
    file's name, for pages that must not reveal server paths."""

    def __init__(self, path: Path | str, zh: str, en: str) -> None:
        self.path, self.zh, self.en = Path(path), zh, en
        super().__init__(self.line())

    def line(self, *, full_path: bool = True) -> str:
        shown = str(self.path) if full_path else self.path.name
        return f"{self.zh.format(path=shown)} / {self.en.format(path=shown)}"


class WarehouseMissing(WarehouseError):
    """No file at the path: only ``init`` creates a warehouse."""

    def __init__(self, path: Path | str) -> None:
        super().__init__(
            path, f"没有找到数据仓库 {{path}}：{FIX}", f"no warehouse at {{path}}: {FIX_EN}"
        )


class WarehouseNotInitialised(WarehouseError):
    """A DuckDB file without the warehouse's schema (or an older schema than this code's)."""

    def __init__(self, path: Path | str) -> None:
        super().__init__(
            path,
            f"{{path}} 不是已初始化的数据仓库（或版本过旧）：{FIX}",
            f"{{path}} is not an initialised warehouse (or is out of date): {FIX_EN}",
        )


class WarehouseInvalid(WarehouseError):
    """The file exists but is not a DuckDB database at all."""

    def __init__(self, path: Path | str) -> None:
        super().__init__(
            path,
            "{path} 不是 DuckDB 数据仓库文件：请检查 --db 路径，或将该文件移走后重新初始化",
            "{path} is not a DuckDB warehouse file: check the --db path, or move the file away"
            " and initialise again",
        )


class WarehouseReadOnly(WarehouseError):
    """A write was asked of a warehouse file this process may not write."""

    def __init__(self, path: Path | str) -> None:
        super().__init__(
            path,
            "数据仓库 {path} 为只读文件：可以查看，但无法保存改动；请管理员恢复写权限后重试",
            "the warehouse {path} is read-only: it can be viewed but changes cannot be saved;"
            " ask an administrator to make it writable and retry",
        )


class WarehouseBusy(WarehouseError):
    """Another process kept the warehouse locked for longer than we were willing to wait."""

    def __init__(self, path: Path | str, waited: float, holder: str | None = None) -> None:
        self.waited, self.holder = waited, holder
        who_zh = f"（{holder}）" if holder else ""
        who_en = f" ({holder})" if holder else ""
        super().__init__(
            path,
            f"数据仓库 {{path}} 正被另一个程序{who_zh}占用，等待 {waited:.0f} 秒后仍未释放："
            "请稍后重试，或先结束该程序",
            f"the warehouse {{path}} is in use by another program{who_en}; waited {waited:.0f} s:"
            " try again shortly, or close that program first",
        )


DOCS = "docs/architecture.md#beyond-one-machine"


class WarehouseURLError(WarehouseError):
    """A warehouse URL this code cannot open: an unknown scheme (``postgresql://…``, not built
    yet) or a ``duckdb:`` URL without a file path.  The message names the scheme only, never the
    whole URL, which may carry a password."""

    def __init__(self, shown: str, zh: str, en: str) -> None:
        self.shown = shown
        super().__init__(shown, zh, en)

    def line(self, *, full_path: bool = True) -> str:
        return f"{self.zh.format(path=self.shown)} / {self.en.format(path=self.shown)}"

    @classmethod
    def unsupported(cls, scheme: str) -> WarehouseURLError:
        return cls(
            f"{scheme}://",
            "暂不支持 {path} 类型的数据仓库地址：目前只支持 DuckDB 文件"
            "（duckdb:///相对路径、duckdb:////绝对路径，或直接写文件路径）；"
            f"多台服务器共用 PostgreSQL 尚在计划中，见 {DOCS}",
            "warehouse URLs starting {path} are not supported yet: only DuckDB files are"
            " (duckdb:///relative/path, duckdb:////absolute/path, or a plain file path);"
            f" several servers sharing PostgreSQL is planned, see {DOCS}",
        )

    @classmethod
    def no_file(cls) -> WarehouseURLError:
        return cls(
            "duckdb://",
            "{path} 地址须指向一个文件：duckdb:///相对路径 或 duckdb:////绝对路径",
            "a {path} URL names a file: duckdb:///relative/path or duckdb:////absolute/path",
        )
