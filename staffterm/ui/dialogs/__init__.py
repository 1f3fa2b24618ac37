"""Dialogs: modal screens over any mode. ``base`` holds what every dialog and form shares."""
