"""Writes of the reports app: rendered scorecards and their zips."""
