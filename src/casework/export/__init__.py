"""Outputs: REFI-QDA exchange (``refi``), chapters, workbooks."""
