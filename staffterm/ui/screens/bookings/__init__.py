"""Desks, parking, lockers, visitors and rooms booked for a day: the list and how a booking reads."""
