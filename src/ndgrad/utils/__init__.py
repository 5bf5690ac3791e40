"""ndgrad.utils: data loading (``ndgrad.utils.data``) and other utilities."""
