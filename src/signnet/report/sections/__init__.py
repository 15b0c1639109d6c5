"""The report's sections, one module each: each formats facts into blocks."""
