"""Widgets of the cockpit, one per module."""
