"""cockpit.config"""
