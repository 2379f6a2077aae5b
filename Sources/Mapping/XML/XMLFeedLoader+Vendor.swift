import Yams

extension XMLFeedLoader {
    /// A `vendor:` section: name, how to recognise the format, and where each part of a lab report is.
    func readVendor(_ node: Node, file: String) throws(MappingError) -> VendorMapping {
        var namespaces: [String: String] = [:]
        if let declared = try MappingLoader.mapping(node, "vendor", file).first(where: { $0.key == "namespaces" })?.value {
            for (prefix, uri) in try MappingLoader.mapping(declared, "namespaces", file) {
                namespaces[prefix] = try MappingLoader.string(uri, prefix, file)
            }
        }
        let top = try VendorSection(node, "vendor", allowed: ["name", "recognise", "namespaces", "document-id",
                                                             "identifier-system", "timezone-offset", "patient", "performer", "orders"],
                                    file: file, namespaces: namespaces, tables: terminology.tables)
        let name = try MappingLoader.string(try top.required("name", in: "vendor"), "name", file)
        let recognise = try top.section(try top.required("recognise", in: "vendor"), "recognise", allowed: ["root", "namespace"])
        let rootName = try MappingLoader.string(try recognise.required("root", in: "recognise"), "root", file)
        let rootNamespace = try recognise["namespace"].map { node throws(MappingError) in try MappingLoader.string(node, "namespace", file) }
        let system = try top["identifier-system"].map { node throws(MappingError) in
            try MappingLoader.string(node, "identifier-system", file)
        } ?? "urn:carebridge:id:" + Terminology.uriSafe(name)
        let offset = try top["timezone-offset"].map { node throws(MappingError) in
            let offset = try MappingLoader.string(node, "timezone-offset", file)
            guard offset == "Z" || (offset.count == 6 && (offset.hasPrefix("+") || offset.hasPrefix("-"))) else {
                throw MappingLoader.fail("timezone-offset must be Z or +hh:mm / -hh:mm", node, file)
            }
            return offset
        }
        return VendorMapping(name: name, rootName: rootName, rootNamespace: rootNamespace, documentID: try top.value("document-id"),
                             identifierSystem: system, timezoneOffset: offset, patient: try patient(top), performer: try performer(top),
                             orders: try orders(top), file: file)
    }

    private func patient(_ top: VendorSection) throws(MappingError) -> VendorPatientRule? {
        guard let node = top["patient"] else { return nil }
        let rule = try top.section(node, "patient", allowed: ["at", "identifier", "family", "given", "gender", "birth-date"])
        guard let identifier = try rule.identifier("identifier") else {
            throw MappingLoader.fail("patient needs identifier (the Patient is matched by it)", node, top.file)
        }
        return VendorPatientRule(at: try rule["at"].map { node throws(MappingError) in try rule.path(node) }, identifier: identifier,
                                 family: try rule.value("family"), given: try rule.value("given"),
                                 gender: try rule.value("gender"), birthDate: try rule.value("birth-date"))
    }

    private func performer(_ top: VendorSection) throws(MappingError) -> VendorPerformerRule? {
        guard let node = top["performer"] else { return nil }
        let rule = try top.section(node, "performer", allowed: ["name", "identifier"])
        return VendorPerformerRule(name: try rule.value("name"), identifier: try rule.identifier("identifier"))
    }

    private func orders(_ top: VendorSection) throws(MappingError) -> VendorOrderRule {
        let rule = try top.section(try top.required("orders", in: "vendor"), "orders",
                                   allowed: ["each", "placer", "filler", "code", "status", "effective", "issued", "results"])
        guard let code = try rule.code("code") else { throw MappingLoader.fail("orders needs code", rule.node, top.file) }
        let placer = try rule.identifier("placer")
        let filler = try rule.identifier("filler")
        guard placer != nil || filler != nil else {
            throw MappingLoader.fail("orders needs placer or filler (reports and results are matched by them)", rule.node, top.file)
        }
        return VendorOrderRule(each: try rule.path(try rule.required("each", in: "orders")), placer: placer, filler: filler,
                               code: code, status: try rule.value("status"), effective: try rule.value("effective"),
                               issued: try rule.value("issued"), results: try results(rule))
    }

    private func results(_ order: VendorSection) throws(MappingError) -> VendorResultRule {
        let rule = try order.section(try order.required("results", in: "orders"), "results",
                                     allowed: ["each", "id", "code", "value", "value-type", "value-code", "unit", "ucum-units",
                                               "range", "range-low", "range-high", "flag", "status", "effective", "issued", "note"])
        guard let code = try rule.code("code") else { throw MappingLoader.fail("results needs code", rule.node, order.file) }
        guard let id = try rule.value("id") else {
            throw MappingLoader.fail("results needs id (the Observation is matched by order number and id)", rule.node, order.file)
        }
        var result = VendorResultRule(each: try rule.path(try rule.required("each", in: "results")), id: id, code: code)
        result.value = try rule.value("value")
        result.valueType = try rule.value("value-type")
        result.valueCode = try rule.code("value-code")
        result.unit = try rule.value("unit")
        if let ucum = rule["ucum-units"] { result.ucumUnits = try MappingLoader.string(ucum, "ucum-units", order.file) == "true" }
        result.rangeText = try rule.value("range")
        result.rangeLow = try rule.value("range-low")
        result.rangeHigh = try rule.value("range-high")
        result.flag = try rule.value("flag")
        result.status = try rule.value("status")
        result.effective = try rule.value("effective")
        result.issued = try rule.value("issued")
        result.note = try rule.value("note")
        return result
    }
}
