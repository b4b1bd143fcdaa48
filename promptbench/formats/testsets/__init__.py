"""Test sets in and out of files: CSV, JSONL, JSON arrays and XLSX (files.py chooses by extension)."""
