"""The web app for people (officers, archivists, admins): Vietnamese pages at /app/, served
by the API's own function beside the API (app.py wires them)."""
