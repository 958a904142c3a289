"""`cockpit attach`: follow the migrations already running on a config's NIM masters and clients.

discover.py finds them (process tables, NIM's state, the start of their run in their logs); run.py
follows them as a run of kind `attach` (the run engine, adopted steps, the same events and journal);
watch.py wakes each host's followers when their migrations end.
"""

from cockpit.engine.attach.discover import Discovery, Followed, discover
from cockpit.engine.attach.run import ATTACH, AttachRefusal, AttachRun

__all__ = ["ATTACH", "AttachRefusal", "AttachRun", "Discovery", "Followed", "discover"]
