"""The hoso command line: a client of the API, for people (officers with USB tokens)."""
