"""The reports' CSV writer is the shared one, which keeps formulas as text.

Kept as a name for older imports; new code imports ``shop.core.csvsafe``.
"""

from shop.core.csvsafe import csv_bytes

__all__ = ["csv_bytes"]
