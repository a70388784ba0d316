"""The topic catalogue: what a chart can be about (spec/topics.py reads it).

Each domain names the kinds of category its charts are drawn over (words.CATEGORY_KINDS) and the
kinds of series they compare; each quantity line is

    name | unit | low | high | kind

with `low..high` the plausible range of one value (a chart's values fall in part of it) and
`kind` one of: share (a percentage, 0..100), money, count (whole numbers), rate, measure, index,
temperature, duration. The unit is written after the quantity in an axis title ("GDP (USD
billion)"); money units name their currency in letters, so that no title holds a "$" (matplotlib
reads text between two dollar signs as mathematics).
"""

DOMAINS = {
    "economy": {"categories": ("countries", "regions", "sectors", "income_groups"),
                "series": ("years", "countries", "scenarios", "sectors")},
    "finance": {"categories": ("companies", "assets", "sectors", "currencies"),
                "series": ("companies", "assets", "scenarios", "years")},
    "health": {"categories": ("age_groups", "countries", "conditions", "hospitals"),
               "series": ("sexes", "years", "treatments", "age_groups")},
    "science": {"categories": ("species", "samples", "treatments", "materials"),
                "series": ("treatments", "samples", "species", "trials")},
    "climate": {"categories": ("cities", "months", "stations", "countries"),
                "series": ("cities", "years", "scenarios", "stations")},
    "sport": {"categories": ("teams", "positions", "events", "seasons"),
              "series": ("teams", "seasons", "sexes", "events")},
    "education": {"categories": ("subjects", "school_types", "countries", "education_levels"),
                  "series": ("sexes", "years", "school_types", "education_levels")},
    "population": {"categories": ("countries", "regions", "age_groups", "cities"),
                   "series": ("sexes", "years", "regions", "scenarios")},
    "energy": {"categories": ("fuels", "countries", "sectors", "regions"),
               "series": ("fuels", "years", "scenarios", "countries")},
    "technology": {"categories": ("platforms", "devices", "languages", "companies"),
                   "series": ("platforms", "years", "companies", "devices")},
    "transport": {"categories": ("modes", "cities", "vehicles", "airports"),
                  "series": ("modes", "years", "cities", "vehicles")},
    "agriculture": {"categories": ("crops", "countries", "livestock", "regions"),
                    "series": ("crops", "years", "regions", "scenarios")},
}

QUANTITIES = """
# economy
GDP | USD billion | 5 | 25000 | money
GDP per capita | USD | 500 | 90000 | money
GDP growth | % | -8 | 12 | rate
Real GDP growth | % | -6 | 10 | rate
Inflation rate | % | -2 | 15 | rate
Core inflation | % | 0 | 10 | rate
Unemployment rate | % | 2 | 25 | share
Youth unemployment rate | % | 5 | 45 | share
Labour force participation | % | 40 | 85 | share
Employment | thousand people | 50 | 160000 | count
Government debt | % of GDP | 10 | 250 | rate
Budget balance | % of GDP | -12 | 6 | rate
Current account balance | % of GDP | -10 | 12 | rate
Exports | USD billion | 1 | 3500 | money
Imports | USD billion | 1 | 3200 | money
Trade balance | USD billion | -900 | 600 | money
Foreign direct investment | USD billion | 0 | 400 | money
Household consumption | USD billion | 5 | 15000 | money
Median household income | USD | 20000 | 120000 | money
Minimum wage | USD per hour | 1 | 25 | money
Average monthly wage | EUR | 300 | 6500 | money
Consumer confidence | index points | 60 | 130 | index
Industrial production | index (2015 = 100) | 70 | 140 | index
Retail sales | USD billion | 10 | 700 | money
Housing starts | thousand units | 50 | 2200 | count
House price index | index (2010 = 100) | 60 | 250 | index
Poverty rate | % | 1 | 60 | share
Gini coefficient | points | 24 | 63 | index
Tax revenue | % of GDP | 8 | 48 | rate
Remittances received | USD billion | 0 | 120 | money
# finance
Share price | USD | 5 | 900 | money
Closing price | USD | 10 | 3500 | money
Market capitalisation | USD billion | 1 | 3000 | money
Annual return | % | -40 | 60 | rate
Dividend yield | % | 0 | 9 | rate
Price-to-earnings ratio | times earnings | 5 | 60 | measure
Trading volume | million shares | 1 | 300 | count
Revenue | USD million | 10 | 90000 | money
Net income | USD million | -2000 | 25000 | money
Operating margin | % | -10 | 45 | rate
Earnings per share | USD | -2 | 25 | money
Interest rate | % | 0 | 12 | rate
10-year bond yield | % | 0 | 9 | rate
Mortgage rate | % | 2 | 9 | rate
Exchange rate | units per USD | 0.5 | 150 | measure
Assets under management | USD billion | 10 | 9000 | money
Portfolio value | USD thousand | 5 | 2000 | money
Volatility | % | 5 | 80 | rate
Credit card debt | USD billion | 100 | 1100 | money
Savings rate | % of income | 1 | 30 | share
Bank deposits | EUR billion | 50 | 4000 | money
Venture capital raised | USD million | 1 | 5000 | money
Loan default rate | % | 0 | 12 | share
Gold price | USD per ounce | 250 | 2500 | money
Bitcoin price | USD thousand | 1 | 70 | money
# health
Life expectancy | years | 45 | 86 | measure
Infant mortality | deaths per 1,000 births | 1 | 90 | rate
Maternal mortality | deaths per 100,000 births | 2 | 900 | rate
Vaccination coverage | % | 40 | 99 | share
Obesity rate | % of adults | 3 | 42 | share
Smoking prevalence | % of adults | 5 | 45 | share
Hospital beds | per 1,000 people | 0.5 | 13 | rate
Physicians | per 1,000 people | 0.1 | 6 | rate
Health spending | % of GDP | 2 | 18 | rate
Health spending per capita | USD | 20 | 12000 | money
New cases | cases per day | 0 | 5000 | count
Hospital admissions | admissions | 10 | 3000 | count
Waiting time | days | 5 | 180 | duration
Average length of stay | days | 2 | 15 | duration
Blood pressure | mmHg | 90 | 170 | measure
Cholesterol | mmol/L | 3 | 8 | measure
Body mass index | kg/m² | 17 | 38 | measure
Heart rate | beats per minute | 50 | 140 | measure
Sleep duration | hours | 4 | 10 | duration
Daily steps | steps | 2000 | 14000 | count
Incidence rate | per 100,000 people | 1 | 900 | rate
Mortality rate | per 100,000 people | 5 | 1500 | rate
Recovery rate | % | 40 | 99 | share
Treatment response | % of patients | 10 | 90 | share
Dose | mg | 5 | 500 | measure
Plasma concentration | ng/mL | 0 | 300 | measure
Survival rate | % | 10 | 100 | share
Calorie intake | kcal per day | 1500 | 3800 | measure
Mental health visits | visits per 1,000 people | 10 | 400 | rate
# science
Reaction time | ms | 150 | 900 | duration
Temperature | K | 200 | 1200 | temperature
Concentration | mmol/L | 0 | 50 | measure
Absorbance | AU | 0 | 2 | measure
Cell count | cells per mL | 1000 | 900000 | count
Growth rate | per hour | 0 | 2 | rate
Enzyme activity | U/mg | 0 | 120 | measure
Yield of reaction | % | 5 | 98 | share
Wavelength | nm | 300 | 900 | measure
Intensity | counts | 100 | 60000 | count
Voltage | V | 0 | 12 | measure
Current | mA | 0 | 500 | measure
Resistance | ohm | 1 | 1000 | measure
Pressure | kPa | 80 | 400 | measure
Mass | g | 0 | 500 | measure
Density | g/cm³ | 0.5 | 20 | measure
Half-life | hours | 0.5 | 72 | duration
Signal-to-noise ratio | dB | 0 | 60 | measure
Accuracy | % | 50 | 100 | share
Error rate | % | 0 | 30 | share
Expression level | fold change | 0 | 12 | measure
Body length | mm | 10 | 400 | measure
Body mass | g | 5 | 6000 | measure
Species richness | species | 5 | 300 | count
Animal density | individuals per km² | 0 | 500 | rate
Citations | citations | 0 | 5000 | count
Publications | papers | 0 | 800 | count
Particle size | µm | 0.1 | 100 | measure
Tensile strength | MPa | 20 | 1500 | measure
pH | pH units | 3 | 10 | measure
# climate
Average temperature | °C | -15 | 35 | temperature
Maximum temperature | °C | -5 | 45 | temperature
Minimum temperature | °C | -30 | 28 | temperature
Temperature anomaly | °C | -1.5 | 2 | temperature
Precipitation | mm | 0 | 350 | measure
Annual rainfall | mm | 50 | 3000 | measure
Snowfall | cm | 0 | 150 | measure
CO2 concentration | ppm | 300 | 425 | measure
CO2 emissions | million tonnes | 1 | 12000 | measure
CO2 emissions per capita | tonnes | 0 | 25 | measure
Greenhouse gas emissions | Mt CO2e | 5 | 6000 | measure
Sea level change | mm | -50 | 120 | measure
Arctic sea ice extent | million km² | 3 | 16 | measure
Sunshine | hours | 30 | 380 | duration
Humidity | % | 20 | 95 | share
Wind speed | km/h | 0 | 60 | measure
Air quality index | AQI | 10 | 300 | index
PM2.5 concentration | µg/m³ | 2 | 150 | measure
Days of frost | days | 0 | 150 | count
Heatwave days | days | 0 | 40 | count
Forest cover | % of land | 1 | 75 | share
Drought severity | index | -4 | 4 | index
River flow | m³/s | 5 | 3000 | measure
Glacier mass balance | m water equivalent | -2 | 0.5 | measure
Ocean heat content | 10²² joules | -5 | 25 | measure
# sport
Points scored | points | 60 | 130 | count
Goals scored | goals | 0 | 110 | count
Goals per game | goals | 0 | 4 | rate
Win rate | % | 10 | 90 | share
Wins | games | 0 | 70 | count
Attendance | thousand spectators | 5 | 90 | count
Average attendance | spectators | 2000 | 75000 | count
Marathon finishing time | minutes | 125 | 330 | duration
Sprint time | seconds | 9.5 | 14 | duration
Distance covered | km | 5 | 14 | measure
Possession | % | 30 | 70 | share
Shots on target | shots | 0 | 12 | count
Pass accuracy | % | 60 | 93 | share
Serve speed | km/h | 150 | 240 | measure
Batting average | runs | 10 | 60 | measure
Medals won | medals | 0 | 120 | count
Player salary | USD million | 0.5 | 50 | money
Ticket price | USD | 10 | 250 | money
Team payroll | USD million | 30 | 350 | money
Viewers | million | 0.5 | 120 | count
Jump height | cm | 30 | 95 | measure
Training hours | hours per week | 2 | 30 | duration
Injuries | injuries per season | 0 | 40 | count
Club revenue | EUR million | 10 | 850 | money
Lap time | seconds | 70 | 110 | duration
# education
Enrolment rate | % | 20 | 100 | share
Graduation rate | % | 40 | 98 | share
Literacy rate | % of adults | 30 | 100 | share
Test score | points | 350 | 600 | index
Reading score | points | 350 | 580 | index
Mathematics score | points | 360 | 600 | index
Pupil-teacher ratio | pupils per teacher | 8 | 50 | rate
Class size | pupils | 12 | 45 | count
Education spending | % of GDP | 2 | 8 | rate
Spending per student | USD | 500 | 25000 | money
Tuition fees | USD thousand | 0 | 60 | money
Student loan debt | USD thousand | 5 | 60 | money
Years of schooling | years | 2 | 14 | duration
Students enrolled | thousand students | 5 | 3000 | count
Teachers | thousand | 1 | 400 | count
Dropout rate | % | 1 | 35 | share
Attendance rate | % | 75 | 99 | share
Study time | hours per week | 2 | 30 | duration
Applications received | applications | 200 | 60000 | count
Acceptance rate | % | 4 | 90 | share
Average grade | grade points | 1 | 4 | index
International students | thousand | 1 | 500 | count
Early childhood enrolment | % | 10 | 100 | share
Digital skills | % of adults | 10 | 90 | share
Homework time | hours per week | 1 | 15 | duration
# population
Population | million | 0.5 | 1450 | count
Population growth | % per year | -1.5 | 4 | rate
Birth rate | births per 1,000 people | 6 | 45 | rate
Death rate | deaths per 1,000 people | 2 | 16 | rate
Fertility rate | births per woman | 1 | 7 | rate
Median age | years | 15 | 48 | duration
Net migration | thousand people | -500 | 1200 | count
Urban population | % | 15 | 100 | share
Population density | people per km² | 2 | 1200 | rate
Households | million | 0.2 | 140 | count
Average household size | people | 1.8 | 7 | measure
Marriage rate | per 1,000 people | 2 | 12 | rate
Divorce rate | per 1,000 people | 0.5 | 4 | rate
Old-age dependency ratio | % | 5 | 55 | share
Share aged 65 and over | % | 2 | 30 | share
Foreign-born population | % | 1 | 45 | share
Refugees | thousand | 1 | 3700 | count
Internal moves | thousand | 10 | 5000 | count
Homeownership rate | % | 40 | 90 | share
Average age at first birth | years | 19 | 32 | duration
Single-person households | % | 10 | 45 | share
Population under 15 | % | 12 | 50 | share
Sex ratio at birth | boys per 100 girls | 100 | 115 | rate
Deaths | thousand | 1 | 3000 | count
Births | thousand | 5 | 4000 | count
# energy
Electricity generation | TWh | 1 | 9000 | measure
Electricity consumption | TWh | 1 | 8500 | measure
Energy consumption per capita | GJ | 5 | 350 | measure
Renewable share | % of electricity | 1 | 98 | share
Installed capacity | GW | 0.5 | 1300 | measure
Solar capacity | GW | 0 | 600 | measure
Wind capacity | GW | 0 | 450 | measure
Oil production | million barrels per day | 0 | 13 | measure
Oil price | USD per barrel | 15 | 140 | money
Natural gas price | USD per MMBtu | 1.5 | 25 | money
Electricity price | EUR per MWh | 20 | 400 | money
Household electricity price | cents per kWh | 5 | 45 | money
Coal consumption | million tonnes | 1 | 4500 | measure
Energy intensity | MJ per USD of GDP | 2 | 12 | rate
Carbon intensity | g CO2 per kWh | 20 | 900 | rate
Capacity factor | % | 10 | 95 | share
Battery storage | GWh | 0 | 120 | measure
Heating demand | degree days | 500 | 5000 | measure
Fuel consumption | litres per 100 km | 3 | 15 | rate
Energy imports | % of supply | -50 | 100 | rate
Grid losses | % | 2 | 20 | share
Peak demand | GW | 1 | 900 | measure
Hydrogen production | kt | 0 | 900 | measure
Charging stations | thousand | 0 | 500 | count
Nuclear output | TWh | 0 | 800 | measure
# technology
Internet users | % of population | 5 | 99 | share
Smartphone ownership | % of adults | 20 | 95 | share
Monthly active users | million | 1 | 3000 | count
Downloads | million | 0.1 | 500 | count
App revenue | USD million | 1 | 3000 | money
Market share | % | 0 | 70 | share
Page load time | seconds | 0.5 | 8 | duration
Latency | ms | 5 | 400 | duration
Download speed | Mbit/s | 2 | 300 | measure
Data traffic | exabytes per month | 1 | 400 | measure
Cloud spending | USD billion | 5 | 700 | money
Server uptime | % | 95 | 100 | share
Bugs reported | issues | 0 | 800 | count
Commits | commits per week | 0 | 600 | count
Build time | minutes | 1 | 60 | duration
Model accuracy | % | 50 | 99 | share
Training time | hours | 0.5 | 200 | duration
Memory use | GB | 0.5 | 80 | measure
Transistor count | billion | 0.01 | 100 | count
Chip shipments | million units | 1 | 1500 | count
Conversion rate | % | 0.5 | 12 | share
Session length | minutes | 1 | 40 | duration
Customer satisfaction | score out of 10 | 4 | 10 | index
Cyber attacks | incidents | 0 | 2500 | count
R&D spending | USD billion | 1 | 80 | money
# transport
Passengers | million | 0.5 | 120 | count
Passenger-kilometres | billion | 1 | 1500 | measure
Freight moved | billion tonne-km | 1 | 6000 | measure
Traffic volume | vehicles per day | 500 | 150000 | count
Average speed | km/h | 10 | 130 | measure
Commute time | minutes | 10 | 90 | duration
Road deaths | per 100,000 people | 1 | 35 | rate
Flights | thousand | 1 | 900 | count
On-time arrivals | % | 50 | 95 | share
Average delay | minutes | 2 | 70 | duration
New car registrations | thousand | 5 | 3500 | count
Electric car share | % of new cars | 0 | 95 | share
Fuel price | EUR per litre | 0.8 | 2.4 | money
Ticket revenue | USD million | 1 | 5000 | money
Cycling share | % of trips | 0 | 45 | share
Container throughput | million TEU | 0.5 | 45 | count
Rail network | thousand km | 1 | 250 | measure
Car ownership | cars per 1,000 people | 20 | 850 | rate
Parking occupancy | % | 20 | 100 | share
Trips per person | trips per day | 1 | 5 | rate
Vehicle-kilometres | billion | 1 | 5000 | measure
Bus ridership | million trips | 1 | 2500 | count
Public transport share | % of trips | 2 | 70 | share
Airfare | USD | 50 | 1500 | money
Emissions per passenger-km | g CO2 | 5 | 250 | measure
# agriculture
Crop yield | t/ha | 0.5 | 12 | rate
Wheat yield | t/ha | 1 | 9 | rate
Rice production | million tonnes | 0.1 | 210 | measure
Cereal production | million tonnes | 1 | 650 | measure
Harvested area | thousand ha | 10 | 50000 | measure
Fertiliser use | kg per ha | 5 | 450 | rate
Irrigated land | % of cropland | 0 | 80 | share
Milk production | million tonnes | 0.1 | 110 | measure
Meat production | million tonnes | 0.1 | 95 | measure
Cattle | million head | 0.1 | 300 | count
Farm income | USD thousand | 5 | 250 | money
Food prices | index (2015 = 100) | 70 | 180 | index
Agricultural employment | % of jobs | 1 | 70 | share
Farm size | ha | 1 | 500 | measure
Water use | km³ | 1 | 700 | measure
Pesticide use | kg per ha | 0 | 15 | rate
Organic farmland | % | 0 | 30 | share
Agricultural exports | USD billion | 0.5 | 200 | money
Coffee production | thousand bags | 100 | 60000 | count
Food waste | kg per person | 30 | 180 | measure
Tractors | per 100 km² | 1 | 900 | rate
Soil organic carbon | % | 0.2 | 6 | share
Grain stocks | million tonnes | 5 | 350 | measure
Land price | EUR per ha | 2000 | 90000 | money
Egg production | billion eggs | 0.5 | 600 | count
"""

CATEGORIES = {
    "sectors": ("Agriculture", "Mining", "Manufacturing", "Construction", "Utilities", "Retail", "Transport",
                "Finance", "Real estate", "Information", "Health care", "Education", "Hospitality", "Government",
                "Services", "Energy"),
    "income_groups": ("Low income", "Lower middle income", "Upper middle income", "High income"),
    "companies": ("Northwind", "Contoso", "Fabrikam", "Initech", "Globex", "Umbrella", "Stark Industries", "Acme",
                  "Vandelay", "Hooli", "Tyrell", "Wonka", "Cyberdyne", "Soylent", "Aperture", "Monarch",
                  "Oscorp", "Wayne Enterprises", "Pied Piper", "Dunder Mifflin"),
    "assets": ("Equities", "Bonds", "Cash", "Real estate", "Commodities", "Gold", "Private equity",
               "Hedge funds", "Infrastructure", "Crypto"),
    "currencies": ("USD", "EUR", "JPY", "GBP", "CHF", "CAD", "AUD", "CNY", "INR", "BRL", "MXN", "SEK", "NOK",
                   "KRW", "ZAR"),
    "age_groups": ("0–14", "15–24", "25–34", "35–44", "45–54", "55–64", "65–74", "75–84", "85+"),
    "conditions": ("Diabetes", "Asthma", "Hypertension", "Heart disease", "Stroke", "Cancer", "Depression",
                   "Arthritis", "COPD", "Obesity", "Influenza", "Dementia", "Anxiety", "Kidney disease"),
    "hospitals": ("General Hospital", "St Mary's", "City Clinic", "University Hospital", "Royal Infirmary",
                  "Children's Hospital", "Memorial", "County Hospital", "Riverside", "Northgate"),
    "species": ("Adelie", "Chinstrap", "Gentoo", "E. coli", "S. aureus", "B. subtilis", "Oak", "Beech", "Pine",
                "Birch", "Maple", "Zebrafish", "Mouse", "Rat", "Yeast", "Arabidopsis"),
    "samples": ("Sample A", "Sample B", "Sample C", "Sample D", "Sample E", "Sample F", "Site 1", "Site 2",
                "Site 3", "Site 4", "Plot 1", "Plot 2", "Plot 3"),
    "treatments": ("Control", "Placebo", "Treatment", "Low dose", "Medium dose", "High dose", "Drug A",
                   "Drug B", "Vehicle", "Wild type", "Mutant", "Knockout"),
    "materials": ("Steel", "Aluminium", "Copper", "Titanium", "Glass", "Concrete", "Wood", "Carbon fibre",
                  "Polymer", "Ceramic", "Brass", "Nickel alloy"),
    "trials": ("Trial 1", "Trial 2", "Trial 3", "Run 1", "Run 2", "Run 3", "Batch 1", "Batch 2", "Batch 3"),
    "cities": ("London", "Paris", "Berlin", "Madrid", "Rome", "Oslo", "Vienna", "Warsaw", "Lisbon", "Tokyo",
               "Seoul", "Delhi", "Mumbai", "Beijing", "Sydney", "Cairo", "Lagos", "Nairobi", "Lima", "Bogotá",
               "Toronto", "Chicago", "Seattle", "Denver", "Boston", "Mexico City", "São Paulo", "Jakarta",
               "Bangkok", "Istanbul"),
    "stations": ("Station 1", "Station 2", "Station 3", "Station 4", "Coastal", "Inland", "Mountain", "Valley",
                 "Airport", "City centre", "Harbour", "Uplands"),
    "months": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December"),
    "teams": ("Lions", "Tigers", "Eagles", "Wolves", "Falcons", "Sharks", "Bears", "Hawks", "Rangers", "Rovers",
              "United", "City", "Athletic", "Wanderers", "Dynamo", "Sporting", "Olympic", "Royals"),
    "positions": ("Goalkeeper", "Defender", "Midfielder", "Forward", "Guard", "Centre", "Winger", "Pitcher",
                  "Catcher", "Striker"),
    "events": ("100 m", "200 m", "400 m", "800 m", "1500 m", "5000 m", "Marathon", "Long jump", "High jump",
               "Shot put", "Javelin", "Triathlon"),
    "seasons": tuple(f"{y}–{str(y + 1)[2:]}" for y in range(2010, 2025)),
    "subjects": ("Mathematics", "Reading", "Science", "History", "Geography", "Art", "Music", "Physics",
                 "Chemistry", "Biology", "Languages", "Computing", "Economics", "Literature"),
    "school_types": ("Public", "Private", "Charter", "Religious", "Boarding", "Vocational", "Online"),
    "education_levels": ("Primary", "Lower secondary", "Upper secondary", "Vocational", "Bachelor's",
                         "Master's", "Doctorate"),
    "regions": ("North", "South", "East", "West", "Central", "Northeast", "Northwest", "Southeast", "Southwest",
                "Europe", "Asia", "Africa", "Americas", "Oceania", "Middle East", "Urban", "Rural"),
    "fuels": ("Coal", "Natural gas", "Oil", "Nuclear", "Hydro", "Wind", "Solar", "Biomass", "Geothermal",
              "Other renewables"),
    "platforms": ("Android", "iOS", "Windows", "macOS", "Linux", "Web", "ChromeOS", "Consoles"),
    "devices": ("Phone", "Tablet", "Laptop", "Desktop", "Smartwatch", "Smart TV", "Speaker", "Headset",
                "Camera", "Router", "E-reader"),
    "languages": ("Python", "JavaScript", "Java", "C++", "C#", "Go", "Rust", "TypeScript", "Kotlin", "Swift",
                  "PHP", "Ruby", "R", "Julia"),
    "modes": ("Car", "Bus", "Rail", "Metro", "Tram", "Bicycle", "Walking", "Ferry", "Air", "Motorcycle",
              "Taxi"),
    "vehicles": ("Petrol", "Diesel", "Hybrid", "Plug-in hybrid", "Electric", "Vans", "Trucks", "Buses",
                 "Motorcycles"),
    "airports": ("ATL", "LHR", "CDG", "DXB", "HND", "FRA", "AMS", "MAD", "SIN", "ICN", "JFK", "LAX", "ORD",
                 "IST", "SYD"),
    "crops": ("Wheat", "Maize", "Rice", "Soybeans", "Barley", "Potatoes", "Sugar cane", "Cassava", "Sorghum",
              "Oats", "Rapeseed", "Cotton", "Coffee", "Cocoa", "Tomatoes"),
    "livestock": ("Cattle", "Pigs", "Sheep", "Goats", "Chickens", "Ducks", "Horses", "Buffalo"),
    "sexes": ("Men", "Women"),
    "scenarios": ("Actual", "Forecast", "Target", "Budget", "Baseline", "Low scenario", "High scenario",
                  "Projected"),
}

# Each real table's domain, and its columns as a chart writes them: "column | title | unit"
# (unit '' where the column has none: names, dates, years). docs/tables.md lists the same.
TABLES = {
    "anscombe": ("science", "Series | Series | \nX | X | \nY | Y | "),
    "barley": ("agriculture", "yield | Barley yield | bushels per acre\nvariety | Variety | \nyear | Year | \n"
                              "site | Site | "),
    "burtin": ("health", "Bacteria | Bacterium | \nPenicillin | Penicillin MIC | µg/mL\n"
                         "Streptomycin | Streptomycin MIC | µg/mL\nNeomycin | Neomycin MIC | µg/mL\n"
                         "Gram_Staining | Gram stain | \nGenus | Genus | "),
    "co2_concentration": ("climate", "Date | Date | \nCO2 | CO2 concentration | ppm\n"
                                     "adjusted CO2 | Seasonally adjusted CO2 | ppm"),
    "crimea": ("health", "date | Month | \nwounds | Deaths from wounds | deaths\nother | Deaths from other causes | "
                         "deaths\ndisease | Deaths from disease | deaths\narmy_size | Army size | soldiers"),
    "disasters": ("climate", "Entity | Disaster type | \nYear | Year | \nDeaths | Deaths | people"),
    "driving": ("transport", "side | Side | \nyear | Year | \nmiles | Distance driven per person | miles\n"
                             "gas | Gasoline price | USD per gallon"),
    "gapminder": ("population", "year | Year | \ncountry | Country | \npop | Population | people\n"
                                "life_expect | Life expectancy | years\nfertility | Fertility rate | births per woman"),
    "gapminder_health_income": ("economy", "country | Country | \nincome | Income per person | USD\n"
                                           "health | Life expectancy | years\npopulation | Population | people\n"
                                           "region | Region | "),
    "github": ("technology", "time | Time | \ncount | Commits | commits"),
    "global_temp": ("climate", "year | Year | \ntemp | Temperature anomaly | °C"),
    "iowa_electricity": ("energy", "year | Year | \nsource | Source | \nnet_generation | Net generation | GWh"),
    "la_riots": ("population", "age | Age | years\ngender | Gender | \nrace | Race | \ndeath_date | Date | \n"
                               "neighborhood | Neighbourhood | \ntype | Type | \nlongitude | Longitude | °\n"
                               "latitude | Latitude | °"),
    "monarchs": ("population", "name | Monarch | \nstart | Reign began | year\nend | Reign ended | year"),
    "obesity": ("health", "rate | Obesity rate | share of adults\nstate | State | "),
    "ohlc": ("finance", "date | Date | \nopen | Opening level | index points\nhigh | Daily high | index points\n"
                        "low | Daily low | index points\nclose | Closing level | index points\n"
                        "ret | Return | %"),
    "penguins": ("science", "Species | Species | \nIsland | Island | \nBeak Length (mm) | Beak length | mm\n"
                            "Beak Depth (mm) | Beak depth | mm\nFlipper Length (mm) | Flipper length | mm\n"
                            "Body Mass (g) | Body mass | g\nSex | Sex | "),
    "population": ("population", "year | Year | \nage | Age | years\npeople | Population | people"),
    "population_engineers_hurricanes": ("population", "state | State | \npopulation | Population | people\n"
                                                      "engineers | Engineers | share of population\n"
                                                      "hurricanes | Hurricanes | hurricanes"),
    "seattle_weather": ("climate", "date | Date | \nprecipitation | Precipitation | mm\n"
                                   "temp_max | Maximum temperature | °C\ntemp_min | Minimum temperature | °C\n"
                                   "wind | Wind speed | m/s\nweather | Weather | "),
    "sp500": ("finance", "date | Date | \nprice | S&P 500 | index points"),
    "stocks": ("finance", "symbol | Company | \ndate | Date | \nprice | Share price | USD"),
    "wheat": ("agriculture", "year | Year | \nwheat | Wheat price | shillings per quarter\n"
                             "wages | Weekly wages | shillings"),
    "cars": ("transport", "Miles_per_Gallon | Fuel economy | miles per gallon\nCylinders | Cylinders | cylinders\n"
                          "Displacement | Displacement | cubic inches\nHorsepower | Horsepower | hp\n"
                          "Weight_in_lbs | Weight | lb\nAcceleration | Acceleration, 0 to 60 mph | s\n"
                          "Year | Model year | \nOrigin | Origin | "),
    "countries": ("population", "year | Year | \nfertility | Fertility rate | births per woman\n"
                                "life_expect | Life expectancy | years\ncountry | Country | "),
    "budgets": ("economy", "budgetYear | Budget year | \nvalue | Budget balance | USD trillion"),
    "income": ("economy", "name | State | \nregion | Region | \npct | Share of households | fraction\n"
                          "total | Households | households\ngroup | Income group | "),
    "us_state_capitals": ("population", "lon | Longitude | °\nlat | Latitude | °\nstate | State | \ncity | City | "),
    "unemployment": ("economy", "rate | Unemployment rate | fraction"),
    "flights_airport": ("transport", "origin | Origin airport | \ndestination | Destination airport | \n"
                                     "count | Flights | flights"),
    "weather": ("climate", "location | Location | \ndate | Date | \nprecipitation | Precipitation | mm\n"
                           "temp_max | Maximum temperature | °C\ntemp_min | Minimum temperature | °C\n"
                           "wind | Wind speed | m/s\nweather | Weather | "),
    "windvectors": ("climate", "longitude | Longitude | °\nlatitude | Latitude | °\ndir | Wind direction | °\n"
                               "dirCat | Direction sector | °\nspeed | Wind speed | m/s"),
    "unemployment_across_industries": ("economy", "series | Industry | \nyear | Year | \n"
                                                  "count | Unemployed | thousand people\n"
                                                  "rate | Unemployment rate | %\ndate | Month | "),
    "us_employment": ("economy", "month | Month | \nnonfarm | Nonfarm | thousand jobs\n"
                                 "private | Private | thousand jobs\ngoods_producing | Goods-producing | thousand jobs\n"
                                 "service_providing | Service-providing | thousand jobs\n"
                                 "private_service_providing | Private service-providing | thousand jobs\n"
                                 "mining_and_logging | Mining and logging | thousand jobs\n"
                                 "construction | Construction | thousand jobs\n"
                                 "manufacturing | Manufacturing | thousand jobs\n"
                                 "durable_goods | Durable goods | thousand jobs\n"
                                 "nondurable_goods | Nondurable goods | thousand jobs\n"
                                 "trade_transportation_utilties | Trade, transport and utilities | thousand jobs\n"
                                 "wholesale_trade | Wholesale trade | thousand jobs\n"
                                 "retail_trade | Retail trade | thousand jobs\n"
                                 "transportation_and_warehousing | Transport and warehousing | thousand jobs\n"
                                 "utilities | Utilities | thousand jobs\ninformation | Information | thousand jobs\n"
                                 "financial_activities | Financial activities | thousand jobs\n"
                                 "professional_and_business_services | Professional and business services | "
                                 "thousand jobs\n"
                                 "education_and_health_services | Education and health services | thousand jobs\n"
                                 "leisure_and_hospitality | Leisure and hospitality | thousand jobs\n"
                                 "other_services | Other services | thousand jobs\n"
                                 "government | Government | thousand jobs\n"
                                 "nonfarm_change | Change in nonfarm jobs | thousand jobs"),
}
