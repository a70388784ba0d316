"""The chart families, registered in one table: adding a family touches this file and its module.

Order matters only for display; loader ids live in collate.CHART_TYPES (append-only).
"""

from plotdigit_cli.charts.bar import GROUPED, HORIZONTAL, STACKED, VERTICAL
from plotdigit_cli.charts.base import Family
from plotdigit_cli.charts.histogram import HISTOGRAM
from plotdigit_cli.charts.line import AREA, DOT_LINE, LINE
from plotdigit_cli.charts.pie import DONUT, PIE
from plotdigit_cli.charts.scatter import DOT, SCATTER

FAMILIES: dict[str, Family] = {f.name: f for f in (
    VERTICAL, HORIZONTAL, SCATTER, LINE, DOT_LINE, PIE,  # the first six keep their old order
    GROUPED, STACKED, HISTOGRAM, AREA, DOT, DONUT,
)}
