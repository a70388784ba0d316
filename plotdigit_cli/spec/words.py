"""Built-in word lists for category names, series names, titles and axis labels.

Plain tuples, no files to ship: category axes draw from these (months, weekdays, years,
country-like and product-like names, plain words), text draws from the same pool.
"""

from __future__ import annotations

import numpy as np

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
MONTHS_SHORT = tuple(m[:3] for m in MONTHS)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKDAYS_SHORT = tuple(d[:3] for d in WEEKDAYS)
YEARS = tuple(str(y) for y in range(1950, 2031))
QUARTERS = tuple(f"Q{q} {y}" for y in range(2015, 2027) for q in range(1, 5))

COUNTRIES = (
    "Albania", "Algeria", "Angola", "Argentina", "Armenia", "Australia", "Austria", "Bahrain", "Bangladesh",
    "Belgium", "Benin", "Bhutan", "Bolivia", "Botswana", "Brazil", "Bulgaria", "Burundi", "Cambodia",
    "Cameroon", "Canada", "Chad", "Chile", "China", "Colombia", "Croatia", "Cuba", "Cyprus", "Czechia",
    "Denmark", "Ecuador", "Egypt", "Eritrea", "Estonia", "Ethiopia", "Fiji", "Finland", "France", "Gabon",
    "Gambia", "Georgia", "Germany", "Ghana", "Greece", "Guatemala", "Guinea", "Guyana", "Haiti", "Honduras",
    "Hungary", "Iceland", "India", "Indonesia", "Iran", "Iraq", "Ireland", "Israel", "Italy", "Jamaica",
    "Japan", "Jordan", "Kenya", "Kiribati", "Kuwait", "Laos", "Latvia", "Lebanon", "Lesotho", "Liberia",
    "Libya", "Lithuania", "Luxembourg", "Madagascar", "Malawi", "Malaysia", "Maldives", "Mali", "Malta",
    "Mauritius", "Mexico", "Moldova", "Monaco", "Mongolia", "Morocco", "Mozambique", "Myanmar", "Namibia",
    "Nepal", "Netherlands", "New Zealand", "Nicaragua", "Niger", "Nigeria", "Norway", "Oman", "Pakistan",
    "Panama", "Paraguay", "Peru", "Philippines", "Poland", "Portugal", "Qatar", "Romania", "Rwanda", "Samoa",
    "Senegal", "Serbia", "Singapore", "Slovakia", "Slovenia", "Somalia", "South Africa", "Spain",
    "Sri Lanka", "Sudan", "Suriname", "Sweden", "Switzerland", "Syria", "Tanzania", "Thailand", "Togo",
    "Tonga", "Tunisia", "Turkey", "Uganda", "Ukraine", "Uruguay", "Vanuatu", "Venezuela", "Vietnam",
    "Yemen", "Zambia", "Zimbabwe",
)
REGIONS = ("North", "South", "East", "West", "Central", "Northeast", "Northwest", "Southeast", "Southwest",
           "Europe", "Asia", "Africa", "Americas", "Oceania", "Urban", "Rural", "Coastal", "Inland")
PRODUCTS = (
    "Basic", "Standard", "Premium", "Pro", "Plus", "Lite", "Max", "Ultra", "Mini", "Free", "Enterprise",
    "Starter", "Team", "Family", "Student", "Mobile", "Desktop", "Tablet", "Laptop", "Phone", "Watch",
    "Camera", "Printer", "Router", "Speaker", "Headset", "Monitor", "Keyboard", "Mouse", "Console",
    "Apples", "Pears", "Plums", "Cherries", "Grapes", "Lemons", "Oranges", "Bananas", "Mangoes", "Peaches",
    "Rice", "Wheat", "Maize", "Barley", "Soy", "Coffee", "Tea", "Cocoa", "Sugar", "Cotton", "Wool", "Steel",
    "Copper", "Zinc", "Nickel", "Gold", "Silver", "Oil", "Gas", "Coal", "Solar", "Wind", "Hydro", "Nuclear",
    "Biomass", "Diesel", "Petrol", "Electric", "Hybrid", "Bicycle", "Bus", "Train", "Tram", "Ferry", "Taxi",
    "Model A", "Model B", "Model C", "Model X", "Type I", "Type II", "Type III", "Group A", "Group B",
    "Group C", "Group D", "Batch 1", "Batch 2", "Batch 3", "Site 1", "Site 2", "Site 3", "Line 1", "Line 2",
)
WORDS = (
    "access", "account", "activity", "age", "air", "amount", "analysis", "area", "asset", "audience",
    "average", "balance", "bandwidth", "base", "benefit", "birth", "budget", "capacity", "capital", "carbon",
    "case", "cash", "change", "channel", "choice", "city", "claim", "class", "client", "climate", "cost",
    "count", "coverage", "credit", "crop", "current", "customer", "cycle", "damage", "data", "deal", "debt",
    "delay", "demand", "density", "deposit", "depth", "design", "detail", "device", "distance", "dose",
    "earnings", "effect", "effort", "emission", "energy", "entry", "error", "event", "expense", "export",
    "factor", "failure", "farm", "fee", "field", "flow", "force", "forecast", "freight", "fuel", "fund",
    "gain", "growth", "harvest", "health", "heat", "height", "import", "income", "index", "input", "interest",
    "inventory", "investment", "item", "job", "labour", "latency", "length", "level", "load", "loan", "loss",
    "margin", "market", "mass", "median", "member", "memory", "method", "mobility", "motion", "network",
    "noise", "number", "order", "output", "owner", "pace", "patient", "payment", "peak", "performance",
    "period", "pressure", "price", "production", "profit", "quality", "rainfall", "range", "rate", "ratio",
    "reach", "record", "region", "release", "rent", "response", "return", "revenue", "risk", "salary",
    "sales", "sample", "savings", "score", "sector", "session", "share", "signal", "size", "speed", "spend",
    "stock", "storage", "strength", "supply", "surface", "survey", "tax", "temperature", "test", "time",
    "total", "traffic", "transfer", "trend", "turnover", "unit", "usage", "user", "value", "variance",
    "velocity", "visit", "volume", "wage", "waste", "water", "weight", "yield", "annual", "monthly", "weekly",
    "daily", "quarterly", "global", "local", "national", "regional", "urban", "rural", "mean", "net", "gross",
    "relative", "absolute", "estimated", "observed", "projected", "adjusted", "raw", "smoothed", "cumulative",
    "marginal", "public", "private", "domestic", "foreign", "retail", "online", "wholesale", "industrial",
    "residential", "commercial", "medical", "academic", "digital", "financial", "seasonal", "average",
)
# Words that can stand alone as a series or legend entry.
SERIES = ("Actual", "Target", "Forecast", "Baseline", "Control", "Treatment", "Observed", "Predicted",
          "Budget", "Plan", "Estimate", "Model", "Survey", "Census", "Sensor A", "Sensor B", "Team A",
          "Team B", "Men", "Women", "Total", "Median", "Mean", "Low", "Medium", "High", "Before", "After",
          "Online", "In store", "Domestic", "Export", "Public", "Private", "2019", "2020", "2021", "2022",
          "2023", "2024", "Group 1", "Group 2", "Group 3", "Group 4")

CATEGORY_LISTS = {
    "words": tuple(w.capitalize() for w in dict.fromkeys(WORDS)),
    "months": MONTHS + MONTHS_SHORT,
    "weekdays": WEEKDAYS + WEEKDAYS_SHORT,
    "years": YEARS,
    "quarters": QUARTERS,
    "countries": COUNTRIES + REGIONS,
    "products": PRODUCTS,
}
ORDERED = {"months": (MONTHS, MONTHS_SHORT), "weekdays": (WEEKDAYS, WEEKDAYS_SHORT)}


def categories(rng: np.random.Generator, kind: str, n: int) -> list[str]:
    """n distinct category names of `kind`; months, weekdays, years and quarters come in order."""
    if kind in ORDERED:
        names = ORDERED[kind][int(rng.integers(2))]
        start = int(rng.integers(len(names)))
        return [names[(start + i) % len(names)] for i in range(min(n, len(names)))]
    pool = CATEGORY_LISTS[kind]
    n = min(n, len(pool))
    if kind in ("years", "quarters"):
        start = int(rng.integers(len(pool) - n + 1))
        return list(pool[start:start + n])
    return [str(w) for w in rng.choice(pool, n, replace=False)]


def phrase(rng: np.random.Generator, words: tuple[int, int]) -> str:
    """A few random words, capitalised like a chart title ("Annual revenue by region")."""
    n = int(rng.integers(words[0], words[1] + 1))
    picked = [str(w) for w in rng.choice(WORDS, n, replace=False)]
    if n >= 3 and rng.uniform() < 0.5:
        picked.insert(n - 1, str(rng.choice(("by", "per", "vs", "of", "in"))))
    return " ".join(picked).capitalize()


def series_names(rng: np.random.Generator, n: int) -> list[str]:
    if rng.uniform() < 0.5:
        return [str(w) for w in rng.choice(SERIES, n, replace=False)]
    return [w.capitalize() for w in rng.choice(WORDS, n, replace=False)]


def distinct_strings() -> set[str]:
    """Every category name there is (the issue asks for at least 500)."""
    return {s for names in CATEGORY_LISTS.values() for s in names}
