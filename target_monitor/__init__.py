"""目标监测 Target Monitor: command line and shared settings."""

__version__ = "0.1.0"
