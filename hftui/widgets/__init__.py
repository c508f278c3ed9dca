"""Reusable widgets (Textual). Server text goes through ``safe_text`` first."""
