"""Jutong's web service: the REST API, the staff console and the public portal."""
