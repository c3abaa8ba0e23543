"""目标监测 Target Monitor: command line and shared settings."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("target-monitor")  # one version string: pyproject.toml's
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0+unknown"
