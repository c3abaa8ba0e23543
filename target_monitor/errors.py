"""The one error boundary's dictionary: storage and input errors as one line a user can act on.

The page shell (``ui.boundary``) and the command line's ``main`` both ask :func:`explain` about
an exception that escaped; a known kind comes back as one bilingual line (Chinese, then English)
that says what is wrong and what to do, anything else is a bug and is raised as it is.
"""

from __future__ import annotations

import errno
from pathlib import Path

import duckdb

from warehouse.connect import FIX, FIX_EN, WarehouseError


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _name(filename: object, full_paths: bool) -> str:
    if filename is None:
        return "?"
    return str(filename) if full_paths else Path(str(filename)).name


def explain(exc: BaseException, *, full_paths: bool = True) -> str | None:
    """One bilingual line for a storage or input error, or None for anything else.

    ``full_paths=False`` (the pages) names files by their name only, never a server path."""
    if isinstance(exc, WarehouseError):
        return exc.line(full_path=full_paths)
    if isinstance(exc, duckdb.CatalogException):
        return (
            f"数据仓库缺少所需的表（尚未初始化或版本过旧）：{FIX} / "
            f"the warehouse lacks a table it needs (not initialised, or out of date): {FIX_EN}"
        )
    if isinstance(exc, duckdb.InvalidInputException) and "read-only mode" in str(exc):
        return (
            "数据仓库以只读方式打开，无法保存改动 / "
            "the warehouse is open read-only: changes cannot be saved"
        )
    if isinstance(exc, duckdb.IOException | duckdb.ConnectionException):
        reason = _first_line(exc).removeprefix("IO Error: ").removeprefix("Connection Error: ")
        if not full_paths:
            reason = reason.split(' "')[0]  # DuckDB quotes the absolute path
        return (
            f"无法打开数据仓库：{reason}；请检查文件和权限后重试 / "
            f"cannot open the warehouse: {reason}; check the file and its permissions and retry"
        )
    if isinstance(exc, FileNotFoundError):
        name = _name(exc.filename, full_paths)
        return f"找不到文件 {name}：请检查路径 / no such file: {name}: check the path"
    if isinstance(exc, PermissionError) or (
        isinstance(exc, OSError) and exc.errno in (errno.EROFS, errno.EPERM, errno.EACCES)
    ):
        name = _name(exc.filename, full_paths)
        return (
            f"没有权限读写 {name}：请检查文件权限 / "
            f"permission denied: {name}: check the file's permissions"
        )
    if isinstance(exc, IsADirectoryError | NotADirectoryError):
        name = _name(exc.filename, full_paths)
        return f"路径 {name} 不是文件：请检查路径 / {name} is not a file: check the path"
    return None
