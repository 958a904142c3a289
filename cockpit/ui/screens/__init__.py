"""Screens of the cockpit: the fleet overview, a target's log, the quit confirmation."""
