"""cockpit.transports"""
