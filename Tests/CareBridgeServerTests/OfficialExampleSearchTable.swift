import Testing

extension OfficialExampleQuery {
    typealias Q = OfficialExampleQuery

    /// Patient/example's Observations: subject (or performer, for the compartment) is Patient/example.
    static let observationsOfExample = [
        "abdo-tender", "alcohol-type", "blood-pressure", "blood-pressure-cancel", "blood-pressure-dar", "bmi",
        "bmi-using-related", "body-height", "body-length", "body-temperature", "clinical-gender", "example",
        "example-TPMT-diplotype", "example-TPMT-haplotype-one", "example-TPMT-haplotype-two", "example-genetics-1",
        "example-genetics-2", "example-genetics-3", "example-genetics-4", "example-genetics-5", "eye-color", "gcs-qa",
        "glasgow", "head-circumference", "heart-rate", "map-sitting", "mbp", "respiratory-rate", "satO2", "vitals-panel",
    ]

    /// Observations with `meta.profile` vitalsigns (all of them about Patient/example).
    static let vitalSignsProfiled = [
        "blood-pressure", "blood-pressure-cancel", "blood-pressure-dar", "bmi", "body-height", "body-length",
        "body-temperature", "head-circumference", "heart-rate", "respiratory-rate", "satO2", "vitals-panel",
    ]

    /// Performed by Practitioner/f005 (female, given name Langeveld).
    static let performedByF005 = ["ekg", "f001", "f002", "f003", "f004", "f005", "unsat", "vp-oyster"]

    /// Patients whose managingOrganization is Organization/1 (Gastroenterology).
    static let patientsOfOrganization1 = ["ch-example", "dicom", "example", "pat1", "pat2", "pat3", "pat4"]

    static let table: [Q] = patients + observations + clinical + scheduling + workflow + administration + includes

    static let patients: [Q] = [
        Q("Patient?family=chalmers", ["example"]),
        Q("Patient?family=don", ["pat1", "pat2"]),
        Q("Patient?family:exact=Solo", ["infant-mom", "infant-twin-1", "infant-twin-2"]),
        Q("Patient?family:exact=solo", []),
        Q("Patient?family:contains=EVER", ["genetics-example1", "mom"]),
        Q("Patient?name=jim", ["example"]), // given of the usual name
        Q("Patient?name=张", ["ch-example"]), // HumanName.text
        Q("Patient?name=peter&name=windsor", ["example"]),
        Q("Patient?family=solo&given=jaina", ["infant-twin-1"]),
        Q("Patient?gender=female", ["animal", "genetics-example1", "infant-mom", "infant-twin-1", "mom", "pat4", "proband"]),
        Q("Patient?gender:not=male", ["animal", "genetics-example1", "infant-mom", "infant-twin-1", "mom", "pat4", "proband", "pat2", "ihe-pcd"]),
        Q("Patient?identifier=urn:oid:0.1.2.3.4.5.6.7|123457", ["pat3"]),
        Q("Patient?identifier=12345", ["example", "xcda"]),
        Q("Patient?identifier=|AB60001", ["ihe-pcd"]),
        Q("Patient?identifier=http://hl7.org/fhir/sid/us-ssn|", ["genetics-example1", "mom"]),
        Q("Patient?birthdate=1974-12-25", ["ch-example", "example"]),
        Q("Patient?birthdate=1973", ["genetics-example1", "mom"]),
        Q("Patient?birthdate=ge2017", ["infant-twin-1", "infant-twin-2", "newborn"]),
        Q("Patient?birthdate=lt1950", ["f001", "glossy", "xcda"]),
        Q("Patient?birthdate=eb1944-11-17", ["glossy", "xcda"]),
        Q("Patient?birthdate=ap1982-05-01", ["pat3", "pat4"]),
        Q("Patient?birthdate:missing=true", ["dicom", "ihe-pcd", "infant-fetal", "pat1", "pat2"]),
        Q("Patient?active:missing=true", ["infant-fetal", "infant-mom", "infant-twin-1", "infant-twin-2", "newborn"]),
        Q("Patient?organization=Organization/1", patientsOfOrganization1),
        Q("Patient?organization:missing=true", ["animal", "ihe-pcd", "infant-fetal", "infant-mom", "infant-twin-1", "infant-twin-2", "newborn", "proband"]),
        Q("Patient?organization.name=gastro", patientsOfOrganization1),
        Q("Patient?general-practitioner=Practitioner/example", ["glossy"]),
        Q("Patient?link=Patient/pat2", ["pat1"]),
        Q("Patient?address-city=amsterdam", ["f001", "f201"]),
        Q("Patient?phone=0648352638", ["f001"]),
        Q("Patient?language=nl", ["f001"]), // nl-NL is another code
        Q("Patient?deceased=true", ["pat3", "pat4"]),
        Q("Patient?death-date=2015-02-14", ["pat3"]),
        Q("Patient?_id=pat1,pat2,nothing", ["pat1", "pat2"]),
        Q("Patient?_lastUpdated=lt2015", []), // meta.lastUpdated is the hub's, not the example's (mom says 2012)
        Q("Patient?_lastUpdated=gt2020&gender=other", ["pat2"]),
        Q("Patient?birthdate=ge1980&_sort=birthdate,_id", ["pat3", "pat4", "infant-mom", "animal", "infant-twin-1", "infant-twin-2", "newborn"], ordered: true),
        Q("Patient?_has:Observation:subject:code=http://loinc.org|15074-8", ["f001"]),
        Q("Patient?_has:Condition:subject:clinical-status=resolved", ["f201"]),
    ]

    static let observations: [Q] = [
        Q("Observation?subject=Patient/example", observationsOfExample),
        Q("Patient/example/Observation", observationsOfExample),
        Q("Observation?subject=\(Hub.base)/Patient/pat2", ["bmd", "date-lastmp"]),
        Q("Observation?subject:Group=herd1", ["herd1"]),
        Q("Observation?patient=Patient/infant", ["bgpanel", "bloodgroup", "rhstatus", "secondsmoke", "trachcare", "vomiting"]),
        Q("Observation?code=http://loinc.org|8302-2", ["body-height", "body-length"]),
        Q("Observation?code=8310-5", ["body-temperature", "f202"]),
        Q("Observation?code=http://loinc.org|8302-2,http://loinc.org|8310-5", ["body-height", "body-length", "body-temperature", "f202"]),
        Q("Observation?code:text=blood", ["bgpanel", "blood-pressure", "blood-pressure-cancel", "blood-pressure-dar", "bloodgroup", "f206", "rhstatus"]),
        Q("Observation?combo-code=8480-6", ["blood-pressure", "blood-pressure-cancel", "blood-pressure-dar"]),
        Q("Observation?status:not=final", ["blood-pressure-cancel", "example-TPMT-haplotype-one", "example-TPMT-haplotype-two", "example-haplotype1", "example-haplotype2", "f202", "unsat", "vp-oyster"]),
        Q("Observation?value-quantity=gt100", ["656", "example", "f204"]),
        Q("Observation?value-quantity=lt1", ["1minute-apgar-score", "bmd", "herd1"]),
        Q("Observation?value-quantity=16.2", ["bmi", "bmi-using-related"]),
        Q("Observation?value-quantity=185|http://unitsofmeasure.org|[lb_av]", ["example"]),
        Q("Observation?value-quantity=13||{score}", ["gcs-qa", "glasgow"]),
        Q("Observation?value-quantity=6.2|http://unitsofmeasure.org|kPa", ["f003"]),
        Q("Observation?component-value-quantity=107", ["blood-pressure", "blood-pressure-dar"]),
        Q("Observation?value-concept=http://snomed.info/sct|10828004", ["example-genetics-1", "example-genetics-2", "vp-oyster"]),
        Q("Observation?value-string=blue", ["eye-color"]),
        Q("Observation?value-string:contains=tracheostomy", ["trachcare"]),
        Q("Observation?value-date=2016-12-30", ["date-lastmp"]),
        Q("Observation?date=1999-07-02", ["bmi", "bmi-using-related", "body-height", "body-length", "body-temperature", "head-circumference", "heart-rate", "mbp", "respiratory-rate", "vitals-panel"]),
        Q("Observation?date=sa2018-01-01", ["abdo-tender", "bgpanel", "bloodgroup", "clinical-gender", "map-sitting", "rhstatus", "trachcare"]),
        // f001's effectivePeriod has no end: it is ongoing, so it overlaps every range after its start.
        Q("Observation?date=ge2018-03-11&date=lt2018-04", ["bgpanel", "bloodgroup", "rhstatus", "trachcare", "f001"]),
        Q("Observation?date=gt2018-04-02T10:30:10+01:00", ["abdo-tender", "map-sitting", "f001"]),
        // The Apgar scores name `#newborn`, a contained Patient, not Patient/newborn.
        Q("Observation?subject=Patient/newborn", []),
        Q("Observation?value-quantity=0", ["1minute-apgar-score", "herd1"]), // 0 covers [-0.5, 0.5)
        Q("Observation?value-concept:text=positive", ["example-genetics-1", "example-genetics-2", "vp-oyster"]),
        Q("Observation?subject=Patient/example&code:not=http://loinc.org|8302-2", observationsOfExample.filter { $0 != "body-height" && $0 != "body-length" }),
        Q("Observation?data-absent-reason:missing=false", ["unsat"]),
        Q("Observation?has-member=Observation/blood-pressure", ["vitals-panel"]),
        Q("Observation?derived-from=Observation/example-genetics-1", ["example-genetics-2", "example-genetics-3"]),
        Q("Observation?specimen=Specimen/genetics-example1-somatic", ["example-diplotype1", "example-genetics-1", "example-genetics-4", "example-haplotype1", "example-haplotype2", "example-phenotype"]),
        Q("Observation?encounter=Encounter/example", ["abdo-tender", "clinical-gender", "example", "map-sitting"]),
        Q("Observation?performer:Practitioner.name=langeveld", performedByF005),
        Q("Observation?subject:Patient.organization.name=gastro", observationsOfExample + ["bmd", "date-lastmp"]),
        Q("Observation?_profile=http://hl7.org/fhir/StructureDefinition/vitalsigns", vitalSignsProfiled),
        Q("Observation?_profile:below=http://hl7.org/fhir/StructureDefinition", vitalSignsProfiled),
        Q("Observation?_tag=http://example.org/fhir/CodeSystem/workflow-codes|01", []),
        Q("Observation?_has:DiagnosticReport:result:status=final", ["bmd", "example-phenotype"]),
        Q("Observation?subject=Patient/f001&value-quantity:missing=false&_sort=-value-quantity", ["f002", "f005", "f001", "f003", "f004"], ordered: true),
        Q("Observation?patient=Patient/infant&_sort=date,_id", ["secondsmoke", "vomiting", "bgpanel", "bloodgroup", "rhstatus", "trachcare"], ordered: true),
        Q("Patient/example/Observation?category=vital-signs", [
            "blood-pressure", "blood-pressure-cancel", "blood-pressure-dar", "bmi", "bmi-using-related", "body-height", "body-length",
            "body-temperature", "example", "head-circumference", "heart-rate", "mbp", "respiratory-rate", "satO2", "vitals-panel",
        ]),
    ]
}
