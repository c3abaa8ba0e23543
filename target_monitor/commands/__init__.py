"""The handlers of ``target-monitor``'s subcommands, one module per group of commands.

:mod:`.catalogue` checks and documents the targets catalogue; :mod:`.data` validates, loads and
reports on the figures (``validate``, ``load``, ``template``, ``init``, ``status``,
``briefing``); :mod:`.accounts` manages accounts, quarter locks and the audit log.  Each handler
takes the parsed arguments and returns the exit status; :mod:`target_monitor.cli` builds the
parser and runs them behind its error boundary.
"""
