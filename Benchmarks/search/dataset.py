"""The search benchmark's data set, generated deterministically from a seed.

Every resource has a client-chosen id (`pt-1`, `pr-17`, `obs-123`, ...) so that queries can name them. The same
seed and sizes always give the same resources, byte for byte. Each kind draws from its own `random.Random`,
seeded with the seed and the kind's name, so changing one size does not change the other kinds.
"""

import random

FAMILIES = [
    "Smith", "Smithson", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson",
    "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
    "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams",
    "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Müller", "Schmidt",
    "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann", "Dubois", "Durand",
    "Lefèvre", "Moreau", "Laurent", "Simon", "Michel", "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi",
    "Romano", "Colombo", "Ricci", "Marino", "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Costa", "Giordano",
    "Mancini", "Rizzo", "Lombardi", "Moretti", "Jansen", "De Jong", "Visser", "Smit", "Meijer", "De Boer",
    "Mulder", "Bos", "Vos", "Peters", "Hendriks", "Novak", "Horvat", "Kovač", "Nowak", "Kowalski", "Wiśniewski",
    "Wójcik", "Kowalczyk", "Kamiński", "Lewandowski", "Zieliński", "Szymański", "Woźniak", "Dąbrowski",
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson", "Svensson",
    "Gustafsson", "Pettersson", "Jonsson", "Hansen", "Nielsen", "Jensen", "Pedersen", "Kristensen", "Sato",
    "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura", "Kobayashi", "Kato", "Kim",
    "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim", "Han", "Oh", "Seo", "Shin", "Kwon", "Hwang",
    "Ahn", "Song", "Yoo", "Hong", "Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou",
    "Xu", "Sun", "Ma", "Zhu", "Hu", "Guo", "He", "Gao", "Lin", "Luo", "Zheng", "Liang", "Xie", "Tang", "Feng",
    "Murphy", "Kelly", "O'Sullivan", "Walsh", "O'Brien", "Byrne", "Ryan", "O'Connor", "O'Neill", "Reilly",
    "Doyle", "McCarthy", "Gallagher", "Doherty", "Kennedy", "Lynch", "Murray", "Quinn", "Moore", "McLaughlin",
]
GIVENS = [
    "James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "William", "Elizabeth",
    "David", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen", "Anna",
    "Emma", "Olivia", "Noah", "Liam", "Sophia", "Mia", "Lucas", "Léa", "Hugo", "Jules", "Chloé", "Lukas",
    "Leon", "Finn", "Lena", "Hannah", "Giulia", "Marco", "Sofia", "Daan", "Sem", "Julia", "Jan", "Piotr",
    "Zofia", "Erik", "Lars", "Ingrid", "Astrid", "Haruto", "Yui", "Minjun", "Seoyeon", "Wei", "Fang", "Aoife",
    "Seán", "Niamh", "Conor",
]
CITIES = [
    "Springfield", "Riverton", "Fairview", "Greenville", "Bristol", "Clinton", "Salem", "Madison", "Georgetown",
    "Franklin", "Arlington", "Ashland", "Burlington", "Manchester", "Milton", "Newport", "Oxford", "Dover",
    "Hudson", "Kingston", "Lebanon", "Marion", "Mount Vernon", "Oakland", "Jackson", "Auburn", "Dayton",
    "Lexington", "Milford", "Winchester", "Cleveland", "Dublin", "Hamilton", "Jamestown", "Lancaster",
    "Monroe", "Plymouth", "Richmond", "Shelby", "Troy", "Union", "Warren", "Columbia", "Glendale", "Haverford",
    "Kent", "Liberty", "Mansfield", "Portland", "Quincy",
]
# LOINC code, display, unit (UCUM), low and high of the values drawn.
LOINC = [
    ("8867-4", "Heart rate", "/min", 45, 140),
    ("8480-6", "Systolic blood pressure", "mm[Hg]", 90, 190),
    ("8462-4", "Diastolic blood pressure", "mm[Hg]", 50, 120),
    ("8310-5", "Body temperature", "Cel", 35, 41),
    ("29463-7", "Body weight", "kg", 3, 150),
    ("8302-2", "Body height", "cm", 45, 205),
    ("2339-0", "Glucose [Mass/volume] in Blood", "mg/dL", 60, 260),
    ("2093-3", "Cholesterol [Mass/volume] in Serum or Plasma", "mg/dL", 120, 320),
    ("2571-8", "Triglyceride [Mass/volume] in Serum or Plasma", "mg/dL", 40, 400),
    ("718-7", "Hemoglobin [Mass/volume] in Blood", "g/dL", 8, 19),
]
MRN = "http://carebridge.example/fhir/mrn"
NPI = "http://hl7.org/fhir/sid/us-npi"
UCUM = "http://unitsofmeasure.org"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
OBS_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"


def _rng(seed, kind):
    return random.Random(f"{seed}/{kind}")


def _instant(rng, first_year, last_year):
    """An instant with seconds in [first_year-01-01, last_year-12-28], in UTC."""
    return "%04d-%02d-%02dT%02d:%02d:%02dZ" % (
        rng.randint(first_year, last_year), rng.randint(1, 12), rng.randint(1, 28),
        rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59))


def _plus_minutes(instant, minutes):
    """`instant` (as `_instant` writes it, or a whole quarter hour) plus a few minutes, within the same day."""
    total = min(23 * 60 + 59, int(instant[11:13]) * 60 + int(instant[14:16]) + minutes)
    return "%s%02d:%02d%s" % (instant[:11], total // 60, total % 60, instant[16:])


def practitioners(seed, count):
    rng = _rng(seed, "Practitioner")
    for i in range(1, count + 1):
        yield {
            "resourceType": "Practitioner", "id": f"pr-{i}", "active": True,
            "identifier": [{"system": NPI, "value": "%010d" % (1000000000 + i)}],
            "name": [{"family": rng.choice(FAMILIES), "given": [rng.choice(GIVENS)], "prefix": ["Dr."]}],
        }


def schedules(seed, count):
    """One Schedule per Practitioner: `sch-i` is the schedule of `pr-i`."""
    for i in range(1, count + 1):
        yield {
            "resourceType": "Schedule", "id": f"sch-{i}", "active": True,
            "actor": [{"reference": f"Practitioner/pr-{i}"}],
            "planningHorizon": {"start": "2026-12-01T00:00:00Z", "end": "2027-01-01T00:00:00Z"},
        }


def patients(seed, count, practitioner_count):
    rng = _rng(seed, "Patient")
    for i in range(1, count + 1):
        yield {
            "resourceType": "Patient", "id": f"pt-{i}", "active": True,
            "identifier": [{"system": MRN, "value": "MRN%07d" % i}],
            "name": [{"use": "official", "family": rng.choice(FAMILIES), "given": [rng.choice(GIVENS)]}],
            "gender": rng.choice(["female", "male", "female", "male", "other", "unknown"]),
            "birthDate": "%04d-%02d-%02d" % (rng.randint(1930, 2020), rng.randint(1, 12), rng.randint(1, 28)),
            "address": [{"line": [f"{rng.randint(1, 999)} Main Street"], "city": rng.choice(CITIES),
                         "postalCode": "%05d" % rng.randint(10000, 99999), "country": "US"}],
            "generalPractitioner": [{"reference": f"Practitioner/pr-{rng.randint(1, practitioner_count)}"}],
        }


def observations(seed, count, patient_count):
    rng = _rng(seed, "Observation")
    for i in range(1, count + 1):
        code, display, unit, low, high = rng.choice(LOINC)
        category = "vital-signs" if unit in ("/min", "mm[Hg]", "Cel", "kg", "cm") else "laboratory"
        yield {
            "resourceType": "Observation", "id": f"obs-{i}",
            "status": rng.choice(["final", "final", "final", "amended", "preliminary"]),
            "category": [{"coding": [{"system": OBS_CATEGORY, "code": category}]}],
            "code": {"coding": [{"system": "http://loinc.org", "code": code, "display": display}], "text": display},
            "subject": {"reference": f"Patient/pt-{rng.randint(1, patient_count)}"},
            "effectiveDateTime": _instant(rng, 2020, 2026),
            "valueQuantity": {"value": round(rng.uniform(low, high), 1), "unit": unit, "system": UCUM, "code": unit},
        }


def encounters(seed, count, patient_count, practitioner_count):
    rng = _rng(seed, "Encounter")
    for i in range(1, count + 1):
        start = _instant(rng, 2020, 2026)
        klass = rng.choice([("AMB", "ambulatory"), ("AMB", "ambulatory"), ("IMP", "inpatient encounter"),
                            ("EMER", "emergency")])
        yield {
            "resourceType": "Encounter", "id": f"enc-{i}",
            "status": rng.choice(["finished", "finished", "finished", "in-progress", "planned", "cancelled"]),
            "class": {"system": ACT_CODE, "code": klass[0], "display": klass[1]},
            "subject": {"reference": f"Patient/pt-{rng.randint(1, patient_count)}"},
            "participant": [{"individual": {"reference": f"Practitioner/pr-{rng.randint(1, practitioner_count)}"}}],
            "period": {"start": start, "end": _plus_minutes(start, rng.choice([15, 30, 45]))},
        }


def appointments(seed, count, patient_count, practitioner_count):
    """Appointments from 2026-11-01 to 2027-01-28, mostly in December 2026, 15 to 45 minutes long."""
    rng = _rng(seed, "Appointment")
    for i in range(1, count + 1):
        month = rng.choice([(2026, 11), (2026, 12), (2026, 12), (2026, 12), (2027, 1)])
        start = "%04d-%02d-%02dT%02d:%s:00Z" % (month[0], month[1], rng.randint(1, 28), rng.randint(7, 18),
                                                rng.choice(["00", "15", "30", "45"]))
        yield {
            "resourceType": "Appointment", "id": f"appt-{i}",
            "status": rng.choice(["booked", "booked", "booked", "pending", "proposed", "fulfilled", "cancelled"]),
            "description": "Consultation",
            "start": start, "end": _plus_minutes(start, rng.choice([15, 30, 45])),
            "participant": [
                {"actor": {"reference": f"Patient/pt-{rng.randint(1, patient_count)}"}, "status": "accepted"},
                {"actor": {"reference": f"Practitioner/pr-{rng.randint(1, practitioner_count)}"},
                 "status": "accepted"},
            ],
        }


def slots(seed, count, schedule_count):
    """Quarter-hour Slots in December 2026 from 08:00, 33 a day, filled schedule by schedule."""
    rng = _rng(seed, "Slot")
    per_schedule = -(-count // schedule_count)
    for i in range(count):
        schedule, n = i // per_schedule + 1, i % per_schedule
        day, quarter = n // 33 % 31 + 1, n % 33
        start = "2026-12-%02dT%02d:%02d:00Z" % (day, 8 + quarter // 4, quarter % 4 * 15)
        yield {
            "resourceType": "Slot", "id": f"slot-{i + 1}",
            "schedule": {"reference": f"Schedule/sch-{schedule}"},
            "status": rng.choice(["free", "free", "busy"]),
            "start": start, "end": _plus_minutes(start, 15),
        }


def resources(seed, patients_count, others_count, practitioner_count=200):
    """(kind, generator) pairs in load order: referenced resources come before what refers to them."""
    share = others_count // 5
    return [
        ("Practitioner", practitioners(seed, practitioner_count)),
        ("Schedule", schedules(seed, practitioner_count)),
        ("Patient", patients(seed, patients_count, practitioner_count)),
        ("Observation", observations(seed, others_count - 3 * share, patients_count)),
        ("Encounter", encounters(seed, share, patients_count, practitioner_count)),
        ("Appointment", appointments(seed, share, patients_count, practitioner_count)),
        ("Slot", slots(seed, share, practitioner_count)),
    ]
