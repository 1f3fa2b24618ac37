"""Hostile input against the CLI: every argument gets a plain answer and changes nothing."""
