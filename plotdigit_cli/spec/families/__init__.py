"""The chart families, registered in one table: adding a family touches this file and its module.

Order matters only for display; loader ids live in collate.CHART_TYPES (append-only).
"""

from plotdigit_cli.spec.families.bar import GROUPED, HORIZONTAL, STACKED, VERTICAL
from plotdigit_cli.spec.families.base import Family
from plotdigit_cli.spec.families.box import BOX
from plotdigit_cli.spec.families.histogram import HISTOGRAM
from plotdigit_cli.spec.families.line import AREA, DOT_LINE, LINE, LINE_BAND, STEP
from plotdigit_cli.spec.families.pie import DONUT, PIE
from plotdigit_cli.spec.families.scatter import BUBBLE, DOT, SCATTER

FAMILIES: dict[str, Family] = {f.name: f for f in (
    VERTICAL, HORIZONTAL, SCATTER, LINE, DOT_LINE, PIE,  # the first six keep their old order
    GROUPED, STACKED, HISTOGRAM, AREA, DOT, DONUT,
    BOX, BUBBLE, STEP, LINE_BAND,  # issue 25: families published charts use
)}
