"""Reception: the day's guests, how a visit reads, the list widget, and the files the desk writes."""
