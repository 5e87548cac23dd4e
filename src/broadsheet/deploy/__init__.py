"""Deployment recipes generated from the settings (``broadsheet deploy nginx``)."""
