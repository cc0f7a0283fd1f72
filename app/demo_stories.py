"""Incident stories of the demo: short titles and descriptions as operators write them.

Placeholders: {place} (nearest place on that side), {bcp} (a border crossing point), {n} (a
number of people), {k} (a quantity), {partner} (a partner center). Texts stay factual: people
who cross are people, never "threats"; their safety comes first.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Story:
    category: str
    title: str
    description: str
    impacts: tuple[str, ...]  # drawn from, so repeats weigh more
    where: str = "line"  # line: near the border; river: on the Evros; bcp: at a crossing point
    eu_side_only: bool = False
    follow_ups: tuple[str, ...] = ()


STORIES = (
    Story(
        "unauthorised_crossing",
        "Group of about {n} people crossed near {place}",
        "Thermal camera detected a group of about {n} people on foot moving away from the "
        "line near {place}. Patrol tasked to locate the group and check for medical needs.",
        ("medium", "medium", "high"),
        follow_ups=(
            "Group located: {n} people, among them children; no injuries reported.",
            "Interpreter (Arabic, Farsi) requested for the interviews.",
            "Group handed over for registration and medical screening.",
        ),
    ),
    Story(
        "unauthorised_crossing",
        "Inflatable boat found on the riverbank near {place}",
        "Deflated rubber boat and two paddles found on the bank; footprints lead inland. "
        "No people found yet.",
        ("low", "medium"),
        where="river",
        follow_ups=("Drone search of the area finished; no people found.",),
    ),
    Story(
        "unauthorised_crossing",
        "Fence breach near {place}",
        "Cut section of the border fence, about 2 m wide, found during patrol. Repair crew "
        "informed; camera coverage of the section checked.",
        ("medium",),
        eu_side_only=True,
    ),
    Story(
        "unauthorised_crossing",
        "{n} people apprehended after crossing near {place}",
        "Patrol stopped {n} people walking along the road near {place}. All in stable "
        "condition; water and blankets given.",
        ("low", "medium"),
        follow_ups=("Transferred for registration.",),
    ),
    Story(
        "crisis_sar",
        "People stranded on a river islet near {place}",
        "Caller reports about {n} people, including children, stranded on an islet in the "
        "Evros; the water level is rising. Boat unit and medic tasked.",
        ("high",),
        where="river",
        follow_ups=(
            "Boat unit on scene; first people brought to the bank.",
            "All {n} people rescued; one treated for hypothermia.",
            "{partner} informed and thanked for the early warning.",
        ),
    ),
    Story(
        "crisis_sar",
        "Person reported missing after river crossing near {place}",
        "Relatives report by phone that a person did not reach the bank after a crossing "
        "attempt. Riverbank search with drone support requested.",
        ("high",),
        where="river",
        follow_ups=(
            "Drone search of 3 km of riverbank, no sighting yet.",
            "Search extended downstream; {partner} asked to check their bank.",
        ),
    ),
    Story(
        "crisis_sar",
        "Hypothermia case near {place}",
        "One person with signs of hypothermia found by the road near {place}. Ambulance "
        "called; patrol giving first aid.",
        ("high", "medium"),
        follow_ups=("Ambulance arrived; person taken to hospital, stable.",),
    ),
    Story(
        "smuggling",
        "Cigarettes in hidden compartment at {bcp}",
        "About {k}0 cartons of cigarettes without excise stamps found in a modified fuel tank "
        "of a lorry. Driver held; customs informed.",
        ("medium", "low"),
        where="bcp",
        eu_side_only=True,
    ),
    Story(
        "smuggling",
        "Cannabis found in car near {place}",
        "About {k} kg of cannabis found in the spare-wheel well during a vehicle check near "
        "{place}. Two occupants arrested.",
        ("medium", "high"),
        eu_side_only=True,
    ),
    Story(
        "smuggling",
        "Undeclared cash at {bcp}",
        "Traveller carrying about EUR {k}0,000 in cash, undeclared. Financial intelligence "
        "unit informed.",
        ("low",),
        where="bcp",
        eu_side_only=True,
    ),
    Story(
        "trafficking",
        "Possible victims of trafficking at {bcp}",
        "Two young women travelling with an adult man who holds their passports. "
        "Interviewed separately with an interpreter; referred to victim support.",
        ("high",),
        where="bcp",
        eu_side_only=True,
        follow_ups=(
            "Victim support organisation on site.",
            "Case passed to the anti-trafficking unit; man held for questioning.",
        ),
    ),
    Story(
        "trafficking",
        "Minors travelling with unrelated adult near {place}",
        "Three minors in a car with an adult who is not a relative and has no authorisation. "
        "Child protection services called.",
        ("high",),
        eu_side_only=True,
        follow_ups=("Child protection services took charge of the minors.",),
    ),
    Story(
        "document_fraud",
        "Forged residence permit at {bcp}",
        "Document examiner found a counterfeit residence permit; holder questioned. "
        "Document seized.",
        ("low", "medium"),
        where="bcp",
        eu_side_only=True,
    ),
    Story(
        "document_fraud",
        "Impostor with genuine passport at {bcp}",
        "Traveller does not match the photo of a genuine passport (look-alike). Biometric "
        "check requested.",
        ("medium",),
        where="bcp",
        eu_side_only=True,
    ),
    Story(
        "suspect_vehicle",
        "Van circling near the fence at {place}",
        "White van with covered rear windows drove along the fence road three times in one "
        "hour near {place}. Plates noted.",
        ("low", "medium"),
        follow_ups=("Van stopped and checked; driver lives nearby. No further action.",),
    ),
    Story(
        "suspect_vehicle",
        "Minibus stopped with {n} passengers near {place}",
        "Minibus carrying {n} people without documents stopped near {place}; driver "
        "suspected of facilitating the crossing for payment and arrested.",
        ("medium", "high"),
        eu_side_only=True,
    ),
    Story(
        "suspect_person",
        "Person watching patrol movements near {place}",
        "Man with binoculars seen on high ground near {place} noting patrol movements. "
        "Patrol to check.",
        ("low",),
    ),
    Story(
        "suspect_vessel",
        "Unlit small boat on the river near {place}",
        "Small unlit boat seen crossing towards the bank near {place} at night; lost from "
        "the thermal camera near the trees.",
        ("medium",),
        where="river",
    ),
    Story(
        "other",
        "Drone seen over the river near {place}",
        "Small multicopter without lights flying along the river near {place} for about "
        "10 minutes.",
        ("low", "medium"),
        where="river",
    ),
)

# How often each category comes up (weights for random.choices over STORIES).
STORY_WEIGHTS = (8, 3, 2, 6, 3, 2, 2, 3, 2, 1, 2, 1, 2, 2, 3, 2, 2, 2, 1)
assert len(STORY_WEIGHTS) == len(STORIES)

PARTNER_SIGHTINGS = (
    "Our unit saw a group moving towards the river at about this time; shared for correlation.",
    "Nothing observed on our side of this stretch.",
    "Our camera recorded lights on the far bank; footage available on request.",
)

CONFIDENCES = ("A1", "A2", "B1", "B2", "B2", "B3", "C2", "C3", "F6")
