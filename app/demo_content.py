"""The cast and the place names of the demo scenario. Data only, no logic.

Every person, call sign and operational incident here is invented for the demo; the place
names, agencies and border crossing points are real. Coordinates of places are approximate
(to about a kilometre): they only choose the name a generated incident is reported near.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.domain import PartnerCenter

CENTER_ID = "GR-ORE"
CENTER_NAME = "Orestiada Joint Coordination Centre"

PARTNERS = (
    PartnerCenter(
        id="BG-SVL",
        name="Svilengrad Border Police Regional Centre",
        country="BGR",
        agency="Bulgarian Border Police",
        tags=("demo",),
    ),
    PartnerCenter(
        id="TR-EDR",
        name="Edirne Gendarmerie Border Command Centre",
        country="TUR",
        agency="Jandarma (Gendarmerie General Command)",
        tags=("demo",),
    ),
)

GR_AGENCY = "Hellenic Police"
BG_AGENCY = "Bulgarian Border Police"

# (name, impact level) per section, Greek ones north to south along the Evros,
# Bulgarian ones west to east from the tripoint to the Black Sea.
GR_SECTORS = (
    ("Evros-1 Kastanies", "high"),
    ("Evros-2 Orestiada", "medium"),  # raised to critical during seeding (level history)
    ("Evros-3 Didymoteicho", "medium"),
    ("Evros-4 Soufli", "high"),
    ("Evros-5 Feres–Kipoi", "medium"),
    ("Evros-6 Evros Delta", "low"),
)
BG_SECTORS = (
    ("Sakar-1 Svilengrad–Lesovo", "high"),  # low -> medium -> high over the last days
    ("Sakar-2 Elhovo", "medium"),
    ("Strandzha-3 Malko Tarnovo", "low"),
    ("Strandzha-4 Rezovo", "high"),  # no patrol on shift: the coverage gap to fix
)


@dataclass(frozen=True)
class Place:
    name: str
    country: str  # ISO3
    lon: float
    lat: float


PLACES = (
    Place("Kastanies", "GRC", 26.478, 41.654),
    Place("Nea Vyssa", "GRC", 26.532, 41.585),
    Place("Orestiada", "GRC", 26.531, 41.503),
    Place("Pythio", "GRC", 26.610, 41.376),
    Place("Didymoteicho", "GRC", 26.497, 41.350),
    Place("Soufli", "GRC", 26.306, 41.201),
    Place("Tychero", "GRC", 26.290, 41.030),
    Place("Kipoi", "GRC", 26.305, 40.925),
    Place("Feres", "GRC", 26.172, 40.894),
    Place("the Evros delta", "GRC", 26.030, 40.800),
    Place("Svilengrad", "BGR", 26.200, 41.767),
    Place("Kapitan Andreevo", "BGR", 26.310, 41.720),
    Place("Lesovo", "BGR", 26.567, 41.967),
    Place("Elhovo", "BGR", 26.566, 42.173),
    Place("Bolyarovo", "BGR", 26.810, 42.149),
    Place("Malko Tarnovo", "BGR", 27.527, 41.978),
    Place("Rezovo", "BGR", 28.024, 41.981),
    Place("Edirne", "TUR", 26.556, 41.677),
    Place("Meriç", "TUR", 26.420, 41.190),
    Place("Uzunköprü", "TUR", 26.689, 41.266),
    Place("İpsala", "TUR", 26.380, 40.920),
    Place("Enez", "TUR", 26.080, 40.725),
    Place("Dereköy", "TUR", 27.360, 41.930),
)

# Border crossing points (approximate; snapped to the line when used).
BCPS = (
    Place("Kipoi BCP", "GRC", 26.330, 40.930),
    Place("Kastanies BCP", "GRC", 26.500, 41.660),
    Place("Kapitan Andreevo BCP", "BGR", 26.330, 41.720),
    Place("Lesovo BCP", "BGR", 26.575, 41.960),
    Place("Malko Tarnovo BCP", "BGR", 27.470, 41.955),
)

OPERATORS = {
    "GR-ORE": ("Op. K. Nikolaidou", "Op. A. Samaras", "Duty officer P. Galanis"),
    "BG-SVL": ("Op. V. Marinova", "Op. H. Iliev"),
    "TR-EDR": ("Op. M. Yıldız", "Op. E. Aydın"),
}

_FRONTEX = "Frontex standing corps"

# id suffix: (name, agency, country, rank, languages, qualifications). Invented names.
OFFICERS = {
    "GR-01": (
        "Dimitris Karalis",
        GR_AGENCY,
        "GRC",
        "Police Sergeant",
        ("el", "en", "tr"),
        ("driver", "interpreter"),
    ),
    "GR-02": ("Eleni Vasilaki", GR_AGENCY, "GRC", "Police Lieutenant", ("el", "en"), ("drone",)),
    "GR-03": (
        "Nikolaos Zervas",
        GR_AGENCY,
        "GRC",
        "Police Constable",
        ("el", "en"),
        ("boat", "driver"),
    ),
    "GR-04": (
        "Maria Kostoglou",
        GR_AGENCY,
        "GRC",
        "Police Constable",
        ("el", "en", "bg"),
        ("medic",),
    ),
    "GR-05": (
        "Stavros Anagnostou",
        GR_AGENCY,
        "GRC",
        "Police Sergeant",
        ("el", "en"),
        ("driver", "boat"),
    ),
    "GR-06": (
        "Ioanna Petridou",
        GR_AGENCY,
        "GRC",
        "Police Constable",
        ("el", "en", "tr"),
        ("interpreter",),
    ),
    "GR-07": (
        "Panagiotis Moustakas",
        GR_AGENCY,
        "GRC",
        "Police Captain",
        ("el", "en", "de"),
        ("boat", "driver"),
    ),
    "GR-08": (
        "Christos Lamprou",
        GR_AGENCY,
        "GRC",
        "Police Constable",
        ("el", "en"),
        ("k9", "driver"),
    ),
    "GR-09": (
        "Athina Roussou",
        GR_AGENCY,
        "GRC",
        "Police Sergeant",
        ("el", "en", "fr"),
        ("medic", "boat"),
    ),
    "GR-10": (
        "Kostas Efthymiou",
        GR_AGENCY,
        "GRC",
        "Police Constable",
        ("el", "en"),
        ("drone", "driver"),
    ),
    "BG-01": (
        "Georgi Petkov",
        BG_AGENCY,
        "BGR",
        "Senior Inspector",
        ("bg", "en", "ru"),
        ("driver",),
    ),
    "BG-02": (
        "Desislava Ivanova",
        BG_AGENCY,
        "BGR",
        "Inspector",
        ("bg", "en", "el"),
        ("interpreter",),
    ),
    "BG-03": ("Stefan Kolev", BG_AGENCY, "BGR", "Junior Inspector", ("bg", "en", "tr"), ("k9",)),
    "BG-04": ("Rumen Todorov", BG_AGENCY, "BGR", "Inspector", ("bg", "en"), ("driver", "boat")),
    "BG-05": (
        "Milena Angelova",
        BG_AGENCY,
        "BGR",
        "Chief Inspector",
        ("bg", "en", "de"),
        ("drone",),
    ),
    "BG-06": (
        "Plamen Georgiev",
        BG_AGENCY,
        "BGR",
        "Junior Inspector",
        ("bg", "en"),
        ("medic", "driver"),
    ),
    "BG-07": (
        "Teodora Nikolova",
        BG_AGENCY,
        "BGR",
        "Inspector",
        ("bg", "en", "ru"),
        ("interpreter", "driver"),
    ),
    "DE-01": (
        "Jonas Becker",
        f"{_FRONTEX} (Bundespolizei)",
        "DEU",
        "Polizeiobermeister",
        ("de", "en"),
        ("driver", "drone"),
    ),
    "DE-02": (
        "Katrin Vogel",
        f"{_FRONTEX} (Bundespolizei)",
        "DEU",
        "Polizeihauptmeisterin",
        ("de", "en", "el"),
        ("k9",),
    ),
    "RO-01": (
        "Andrei Popescu",
        f"{_FRONTEX} (Romanian Border Police)",
        "ROU",
        "Agent șef principal",
        ("ro", "en", "bg"),
        ("driver",),
    ),
    "RO-02": (
        "Ioana Marin",
        f"{_FRONTEX} (Romanian Border Police)",
        "ROU",
        "Inspector principal",
        ("ro", "en"),
        ("medic",),
    ),
    "AT-01": (
        "Lukas Gruber",
        f"{_FRONTEX} (Austrian Federal Police)",
        "AUT",
        "Revierinspektor",
        ("de", "en"),
        ("boat", "driver"),
    ),
    "NL-01": (
        "Sanne de Vries",
        f"{_FRONTEX} (Royal Netherlands Marechaussee)",
        "NLD",
        "Wachtmeester",
        ("nl", "en", "de"),
        ("drone",),
    ),
    "NL-02": (
        "Thijs Bakker",
        f"{_FRONTEX} (Royal Netherlands Marechaussee)",
        "NLD",
        "Opperwachtmeester",
        ("nl", "en"),
        ("driver", "medic"),
    ),
}


@dataclass(frozen=True)
class PatrolPlan:
    call_sign: str
    owner: str  # the center that created it
    sector: int  # index into the owner's sectors
    crew: tuple[str, ...]  # officer id suffixes
    vehicle: str
    status: str
    started_hours_ago: int  # 0..7: the 8 h shift covers now
    on_river: bool = False  # a boat: placed close to the line


PATROLS = (
    PatrolPlan(
        "EVROS-11", "GR-ORE", 0, ("GR-01", "DE-01", "BG-02"), "4x4 Toyota Hilux", "en_route", 3
    ),
    PatrolPlan(
        "EVROS-12", "GR-ORE", 1, ("GR-02", "NL-01"), "Drone team, Nissan Navara", "available", 5
    ),
    PatrolPlan(
        "EVROS-21",
        "GR-ORE",
        1,
        ("GR-03", "AT-01", "GR-09"),
        "RHIB on the Evros",
        "on_scene",
        2,
        on_river=True,
    ),
    # no Greek officer in a Greek sector: the host-nation violation to fix (GR-04 of HERMES-3)
    PatrolPlan("EVROS-31", "GR-ORE", 2, ("BG-06", "DE-02"), "4x4 Mitsubishi L200", "available", 6),
    PatrolPlan(
        "EVROS-41",
        "GR-ORE",
        3,
        ("GR-05", "RO-02"),
        "Thermal-vision vehicle, Toyota Land Cruiser",
        "en_route",
        1,
    ),
    PatrolPlan(
        "HERMES-3",
        "GR-ORE",
        4,
        ("GR-06", "GR-08", "GR-04"),
        "K9 van, VW Transporter",
        "on_scene",
        4,
    ),
    PatrolPlan(
        "HERMES-5",
        "GR-ORE",
        5,
        ("GR-07", "NL-02"),
        "RHIB in the Evros delta",
        "returning",
        7,
        on_river=True,
    ),
    PatrolPlan(
        "SAKAR-21",
        "BG-SVL",
        0,
        ("BG-01", "BG-03", "RO-01"),
        "4x4 Mitsubishi Pajero",
        "available",
        2,
    ),
    PatrolPlan(
        "SAKAR-22", "BG-SVL", 1, ("BG-05", "GR-10"), "Drone team, Toyota Hilux", "en_route", 0
    ),
    PatrolPlan("STRANDZHA-31", "BG-SVL", 2, ("BG-07", "BG-04"), "4x4 UAZ Patriot", "available", 6),
)
