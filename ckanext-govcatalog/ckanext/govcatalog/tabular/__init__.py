"""Tabular data: demo files, DataStore loading and preview, the row API under the sharing rules,
masking and usage records."""
