"""Rooms × slots of a working day: the free/busy timeline, its day and filters, its side panel."""
