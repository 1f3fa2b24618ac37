"""The console's screens: ``base`` (what every mode's screen shares), then one folder per mode."""
