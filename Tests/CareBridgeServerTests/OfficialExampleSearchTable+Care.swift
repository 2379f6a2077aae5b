import Testing

extension OfficialExampleQuery {
    /// Conditions, encounters, reports, allergies and medication requests.
    static let clinical: [Q] = [
        Q("Condition?clinical-status=resolved", ["f201", "f202"]),
        Q("Condition?verification-status=differential", ["f204", "f205"]),
        Q("Condition?category=problem-list-item", ["example2", "f201", "f203", "f204", "family-history"]),
        Q("Condition?category:missing=true", ["f205"]),
        Q("Condition?code:text=burnt", ["example"]),
        Q("Condition?severity=24484000", ["example", "f002", "f202", "f204"]),
        Q("Condition?onset-date=2013-03", ["f203", "f204"]),
        Q("Condition?onset-date=lt2011-06", ["f002", "stroke"]),
        Q("Condition?onset-age=52|http://unitsofmeasure.org|a", ["f202"]),
        Q("Condition?abatement-date=2013-03-20", ["f204"]),
        Q("Condition?recorded-date=ge2013", ["f201", "f203", "f204", "f205"]),
        Q("Condition?asserter=Practitioner/f201", ["f201", "f203", "f204", "f205"]),
        Q("Condition?encounter.class=IMP", ["f203", "f204"]),
        Q("Condition?_security=http://terminology.hl7.org/CodeSystem/v3-ActCode|TBOO", ["f202"]),
        Q("Patient/f201/Condition", ["f201", "f202", "f203", "f204", "f205"]),
        Q("Encounter?class=AMB", ["f001", "f002", "f003", "f201", "f202", "xcda"]),
        Q("Encounter?status=in-progress", ["emerg", "example"]),
        Q("Encounter?date=2013-03", ["f203"]),
        // eq: the search range must contain the whole period 2013-03-11..2013-03-20 (search.html#date).
        Q("Encounter?date=2013-03-15", []),
        Q("Encounter?date=sa2013-03-10", ["f203", "home", "emerg"]),
        Q("Encounter?date=eb2015-01-18", ["f203", "home"]),
        Q("Encounter?length=gt100|http://unitsofmeasure.org|min", ["f001", "f002"]),
        Q("Encounter?participant=Practitioner/f201", ["f201", "f202", "f203"]),
        Q("Encounter?reason-code=34068001", ["f001", "f002"]),
        Q("Encounter?diagnosis=Condition/stroke", ["f203"]),
        Q("Encounter?service-provider.name=burgers", ["f001", "f002", "f003"]),
        Q("Patient/example/Encounter", ["emerg", "example", "home"]),
        Q("DiagnosticReport?category=RAD", ["f201", "ultrasound"]),
        Q("DiagnosticReport?category=http://terminology.hl7.org/CodeSystem/v2-0074|PAT", ["gingival-mass"]),
        Q("DiagnosticReport?date=2012-12-01", ["f201", "ultrasound"]),
        Q("DiagnosticReport?issued=lt2010", ["102"]),
        Q("DiagnosticReport?result.code=http://loinc.org|24701-5", ["102"]),
        Q("DiagnosticReport?subject:missing=true", ["gingival-mass"]),
        Q("DiagnosticReport?performer:Practitioner=example", ["pap", "ultrasound"]),
        Q("DiagnosticReport?conclusion=188340000", ["f201"]),
        Q("AllergyIntolerance?criticality=high", ["example", "medication"]),
        Q("AllergyIntolerance?code:text=no known", ["nka", "nkda", "nkla"]),
        // `onset` is AllergyIntolerance.reaction.onset (2012-06-12 and 2004), not onsetDateTime.
        Q("AllergyIntolerance?onset=2012-06-12", ["example"]),
        Q("AllergyIntolerance?last-date=2012-06", ["example"]),
        Q("AllergyIntolerance?date=2015-08", ["fishallergy", "nka", "nkda", "nkla"]),
        Q("Patient/mom/AllergyIntolerance", ["nka", "nkda"]),
        Q("MedicationRequest?status=on-hold", ["medrx0325", "medrx0326", "medrx0329", "medrx0334", "medrx0335"]),
        Q("MedicationRequest?code=http://www.nlm.nih.gov/research/umls/rxnorm|884308", ["medrx0325", "medrx0334", "medrx0335"]),
        // `#med0316` is a contained Medication, not Medication/med0316.
        Q("MedicationRequest?medication=Medication/med0316", ["medrx002"]),
        Q("MedicationRequest?category=inpatient", ["medrx0301", "medrx0333"]),
        Q("MedicationRequest?authoredon=gt2015-01-15&subject=Patient/pat1", ["medrx002"]),
        Q("MedicationRequest?encounter:missing=false&status=completed", ["medrx0301", "medrx0305", "medrx0307", "medrx0308", "medrx0316", "medrx0323"]),
        Q("MedicationRequest?encounter.service-provider=Organization/f001", [
            "medrx002", "medrx0302", "medrx0303", "medrx0305", "medrx0307", "medrx0308", "medrx0309", "medrx0310", "medrx0311",
            "medrx0315", "medrx0316", "medrx0318", "medrx0323", "medrx0330", "medrx0332", "medrx0333", "medrx0339",
        ]),
        Q("Patient/pat1/MedicationRequest?status=on-hold", ["medrx0325", "medrx0326", "medrx0329", "medrx0334", "medrx0335"]),
    ]

    /// Appointments, slots and schedules.
    static let scheduling: [Q] = [
        Q("Appointment?date=2013-12-10", ["example"]),
        Q("Appointment?date=2013-12", ["2docs", "example"]),
        Q("Appointment?date:missing=true", ["examplereq"]),
        Q("Appointment?status=proposed", ["examplereq"]),
        Q("Appointment?actor=Practitioner/f202", ["2docs"]),
        Q("Appointment?practitioner=Practitioner/example", ["2docs", "example"]),
        Q("Appointment?location=Location/1", ["example", "examplereq"]),
        Q("Appointment?appointment-type=WALKIN", ["2docs", "examplereq"]),
        Q("Appointment?part-status=needs-action", ["examplereq"]),
        Q("Appointment?reason-code:text=clinical", ["examplereq"]),
        Q("Appointment?actor:Practitioner.name=maas", ["2docs"]),
        Q("Appointment?status=booked&_sort=-date", ["example", "2docs"], ordered: true),
        Q("Patient/example/Appointment", ["2docs", "example", "examplereq"]),
        Q("Slot?schedule=Schedule/example&_sort=start", ["1", "example", "3", "2"], ordered: true),
        Q("Slot?status=busy,busy-tentative", ["1", "2"]),
        Q("Slot?start=ge2013-12-25T09:30:00Z", ["3", "2"]),
        Q("Slot?service-category=|17", ["1", "2", "3", "example"]),
        Q("Slot?identifier=http://example.org/identifiers/slots|123132", ["1"]),
        Q("Slot?schedule.actor=Location/1", ["1", "2", "3", "example"]),
        Q("Schedule?actor=Practitioner/1", ["exampleloc1", "exampleloc2"]),
        Q("Schedule?date=2017-12-25", ["exampleloc1", "exampleloc2"]),
        Q("Schedule?specialty=408480009", ["example"]),
    ]

    /// Tasks, communications, invoices and charge items.
    static let workflow: [Q] = [
        Q("Task?part-of=Task/example1", ["example2", "example4"]),
        Q("Task?code=http://terminology.hl7.org/CodeSystem/financialtaskcode|status", ["fm-example5", "fm-example6"]),
        Q("Task?status=completed", ["example4", "example6", "fm-example6"]),
        Q("Task?patient=Patient/example", ["example1", "example2", "example4", "example5", "example6"]),
        Q("Task?identifier=http:/goodhealth.org/identifiers|20170201-001", ["example1", "example5", "example6"]),
        Q("Task?business-status:text=waiting", ["example1", "example2"]),
        Q("Task?modified=ge2016-10-31T16:00:00+10:00", [
            "example5", "example6", "fm-example1", "fm-example2", "fm-example3", "fm-example4", "fm-example5", "fm-example6",
        ]),
        Q("Task?requester:Organization=1832473e-2fe0-452d-abe9-3cdb9879522f", ["example2", "example4"]),
        Q("Task?status=in-progress&_sort=-modified", ["example5", "example1"], ordered: true),
        Q("Communication?instantiates-uri=http://example.org/hyperkalemia", ["example"]),
        Q("Communication?instantiates-uri:below=http://example.org", ["example"]),
        Q("Communication?category=SolicitedAttachment", ["fm-attachment", "fm-solicited"]),
        Q("Invoice?totalgross=48", ["example"]),
        Q("Invoice?totalnet=lt45&subject=Patient/example", ["example"]),
        Q("ChargeItem?factor-override=0.8", ["example"]),
        Q("ChargeItem?factor-override=gt0.9", []),
        Q("Subscription?url:below=https://biliwatch.com/customers", ["example", "example-error"]),
        Q("Subscription?url=https://biliwatch.com/customers", []),
    ]

    /// Practitioners, organizations and locations.
    static let administration: [Q] = [
        Q("Practitioner?family=van", ["f001", "f006"]),
        Q("Practitioner?name=dokter", ["f201"]),
        Q("Practitioner?gender=female", ["f005", "f007", "f204"]),
        Q("Practitioner?identifier=urn:oid:2.16.528.1.1007.3.1|118265112", ["f004", "f005"]),
        Q("Practitioner?address-city=den burg&_sort=-given", ["f007", "f006", "f002", "f001"], ordered: true),
        Q("Practitioner?phone=+31715269111", ["f201", "f202", "f203"]),
        Q("Practitioner?_has:Encounter:participant:class=IMP", ["f201"]),
        Q("Organization?name=burgers", ["f001", "f002", "f003"]),
        Q("Organization?name=abc", ["2"]),
        Q("Organization?name=ear", []), // a prefix of the whole name, not of a word in it
        Q("Organization?name:contains=health", ["2.16.840.1.113883.19.5", "3", "hl7"]),
        Q("Organization?partof=Organization/f001", ["f002", "f003"]),
        Q("Organization?type=http://terminology.hl7.org/CodeSystem/organization-type|prov", ["f001", "f201", "f203"]),
        Q("Organization?endpoint=Endpoint/example", ["hl7"]),
        Q("Organization?_has:Patient:organization:gender=other", ["1"]),
        Q("Location?partof=1", ["2"]),
        Q("Location?organization=Organization/f001", ["1", "2", "amb", "ph"]),
        Q("Location?status=active", ["1", "amb", "hl7", "ph", "ukp"]),
        Q("Location?name=south", ["1", "2"]),
        Q("Location?name:exact=UK Pharmacies", ["ukp"]),
        Q("Location?identifier=B1-S.F2", ["1"]),
    ]

    /// `_include` and `_revinclude` (included resources as `Type/id`), with `:iterate`.
    static let includes: [Q] = [
        Q("Observation?_id=vitals-panel&_include=Observation:has-member", [
            "vitals-panel", "Observation/respiratory-rate", "Observation/heart-rate", "Observation/blood-pressure",
            "Observation/body-temperature",
        ]),
        Q("Observation?_id=example-phenotype&_include=Observation:derived-from", ["example-phenotype", "Observation/example-diplotype1"]),
        Q("Observation?_id=example-phenotype&_include:iterate=Observation:derived-from", [
            "example-phenotype", "Observation/example-diplotype1", "Observation/example-haplotype1", "Observation/example-haplotype2",
        ]),
        Q("Observation?_id=bmd&_revinclude=DiagnosticReport:result", ["bmd", "DiagnosticReport/102"]),
        Q("DiagnosticReport?_id=102&_include=DiagnosticReport:result&_include=DiagnosticReport:subject", ["102", "Observation/bmd", "Patient/pat2"]),
        Q("Encounter?_id=f203&_include=Encounter:diagnosis", ["f203", "Condition/stroke", "Condition/f201"]),
        // f203 is part of itself: a match is not repeated as an include.
        Q("Encounter?_id=f203&_include=Encounter:part-of", ["f203"]),
        Q("Patient?_id=mom&_revinclude=AllergyIntolerance:patient", ["mom", "AllergyIntolerance/nka", "AllergyIntolerance/nkda"]),
        Q("Schedule?_id=example&_revinclude=Slot:schedule", ["example", "Slot/1", "Slot/2", "Slot/3", "Slot/example"]),
        Q("Organization?_id=f001&_revinclude=Organization:partof", ["f001", "Organization/f002", "Organization/f003"]),
        Q("Practitioner?_id=f005&_revinclude=Observation:performer", ["f005"] + performedByF005.map { "Observation/" + $0 }),
    ]
}
