"""Migration Cockpit: run AIX nimadm / alt_disk and HA-cluster migrations on a fleet from one terminal."""

__version__ = "0.1.0"
